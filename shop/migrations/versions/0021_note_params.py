"""notes the shop writes are stored as a message id and its parameters

Revision ID: 0020notesparams
Revises: 0020reconwriteoff
Create Date: 2026-12-06 03:30:00

A JSON column beside each column that holds notes (``{"msgid": …, "params": {…}}``,
see ``shop.system_text``); the page renders it in the reader's language. Existing
English notes the shop wrote are converted with the patterns below (a frozen copy of
the formats the code used); anything else (a person's words, an unknown note) stays as
plain text. Downgrade writes converted notes back as English text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = '0020notesparams'
down_revision = '0020reconwriteoff'
branch_labels = None
depends_on = None

# table, plain text column, note column
COLUMNS = (
    ('payment', 'note', 'note_msg'),
    ('payment_change', 'reason', 'reason_msg'),
    ('payment_transaction', 'note', 'note_msg'),
    ('stock_movement', 'reason', 'reason_msg'),
    ('order_event', 'reason', 'reason_msg'),
    ('audit_entry', 'note', 'note_msg'),
)

ORDER_STATUS_WORDS = {
    'awaiting_payment': 'Awaiting payment',
    'paid': 'Paid',
    'expired': 'Expired',
    'cancelled': 'Cancelled',
    'partially_refunded': 'Partially refunded',
    'refunded': 'Refunded',
}
STOCK_REASON_WORDS = {
    'production': 'New production batch',
    'damaged': 'Damaged',
    'correction': 'Count correction',
    'returned': 'Returned',
}


def _note(msgid: str, **params) -> dict:
    return {'msgid': msgid, 'params': params}


def _rp(digits: str) -> dict:
    return {'rupiah': int(digits)}


def _ref(match: re.Match) -> dict | str:
    ref = match.groupdict().get('ref')
    return _note(' (reference %(ref)s)', ref=ref) if ref else ''


def _why(text: str) -> dict | str:
    """A reason inside a note: the shop's own (converted) or a person's words."""
    return convert(text) or text


REF = r'(?: \(ref (?P<ref>.+)\))?'
SIMPLE = (
    'order placed', 'order paid', 'payment deadline passed', 'cancelled', 'packed',
    'delivered', 'checkout completed; payment still processing', 'delayed payment failed',
    'Checkout Session expired', 'buyer switched to bank transfer', 'refunded in Stripe',
    'paid after the order expired and its stock is gone: refund due',
)  # fmt: skip
PATTERNS: list[tuple[str, Callable[[re.Match], dict]]] = [
    *((rf'^{re.escape(text)}$', lambda m, t=text: _note(t)) for text in SIMPLE),
    (r'^shipped (?P<t>.+)$', lambda m: _note('shipped %(tracking)s', tracking=m['t'])),
    (
        r'^received (?P<a>\d+), order total (?P<t>\d+)$',
        lambda m: _note(
            'received %(received)s, order total %(total)s', received=_rp(m['a']), total=_rp(m['t'])
        ),
    ),
    (
        rf'^received (?P<a>\d+), order total (?P<t>\d+): below the total{REF}$',
        lambda m: _note(
            'received %(received)s, order total %(total)s: below the total%(ref)s',
            received=_rp(m['a']),
            total=_rp(m['t']),
            ref=_ref(m),
        ),
    ),
    (
        r'^paid after the order expired and the stock is gone: refund$',
        lambda m: _note('paid after the order expired and the stock is gone: refund'),
    ),
    (
        rf'^received (?P<a>\d+); paid after the order expired and the stock is gone: refund{REF}$',
        lambda m: _note(
            'received %(received)s; paid after the order expired and the stock is gone: '
            'refund%(ref)s',
            received=_rp(m['a']),
            ref=_ref(m),
        ),
    ),
    (
        r'^received (?P<a>\d+), (?P<x>\d+) more than asked: refund$',
        lambda m: _note(
            'received %(received)s, %(extra)s more than asked: refund',
            received=_rp(m['a']),
            extra=_rp(m['x']),
        ),
    ),
    (
        rf'^bank transfer (?P<a>\d+) confirmed{REF}$',
        lambda m: _note(
            'bank transfer of %(amount)s confirmed%(ref)s', amount=_rp(m['a']), ref=_ref(m)
        ),
    ),
    (
        r'^refund (?P<a>\d+) \((?P<how>card|bank_transfer)\)$',
        lambda m: _note(
            'refund of %(amount)s (%(how)s)',
            amount=_rp(m['a']),
            how=_note('card' if m['how'] == 'card' else 'bank transfer'),
        ),
    ),
    (
        r'^order (?P<s>expired|cancelled): (?P<why>.*)$',
        lambda m: _note(f'order {m["s"]}: %(why)s', why=_why(m['why'])),
    ),
    (
        r'^order (?P<n>\S+) cancelled: (?P<why>.*)$',
        lambda m: _note('order %(number)s cancelled: %(why)s', number=m['n'], why=m['why']),
    ),
    (
        r'^(?P<why>.+); late payment, stock held again$',
        lambda m: _note('%(why)s; late payment, stock held again', why=_why(m['why'])),
    ),
    (
        r'^Checkout Session (?P<id>\S+) opened$',
        lambda m: _note('Checkout Session %(id)s opened', id=m['id']),
    ),
    (
        r'^replaced by Checkout Session (?P<id>\S+)$',
        lambda m: _note('replaced by Checkout Session %(id)s', id=m['id']),
    ),
    (
        r'^buyer left the Stripe page \(cancel\)$',
        lambda m: _note('buyer left the Stripe page without paying'),
    ),
    (r'^paid (?P<a>\d+) IDR$', lambda m: _note('paid %(amount)s', amount=_rp(m['a']))),
    (
        r'^card payment (?P<pi>\S*) \((?P<cs>\S+)\)$',
        lambda m: _note('card payment %(intent)s (%(session)s)', intent=m['pi'], session=m['cs']),
    ),
    (
        r"^currency mismatch: paid in '(?P<c>[^']*)', order in idr$",
        lambda m: _note(
            'currency mismatch: paid in %(currency)s, the order is in IDR',
            currency=m['c'].upper() or '?',
        ),
    ),
    (
        r'^amount mismatch: Stripe reports (?P<r>\S+) \(hundredths\), order (?P<t>\d+)$',
        lambda m: _note(
            'amount mismatch: Stripe reports %(reported)s (hundredths), order total %(total)s',
            reported=m['r'],
            total=_rp(m['t']),
        ),
    ),
    (
        r'^paid by card but the order is already (?P<s>\w+): refund due$',
        lambda m: _note(
            'paid by card but the order is already %(status)s: refund due',
            status=_note(ORDER_STATUS_WORDS[m['s']]) if m['s'] in ORDER_STATUS_WORDS else m['s'],
        ),
    ),
    (
        r'^(?P<p>event disagrees with order .*|PaymentIntent .* belongs to another checkout)$',
        lambda m: _note('the Stripe event does not match the order: %(problem)s', problem=m['p']),
    ),
    (
        r'^dispute opened \((?P<why>.*)\): respond in Stripe$',
        lambda m: _note('dispute opened (%(why)s): respond in Stripe', why=m['why']),
    ),
    (
        r'^dispute closed: (?P<s>.*)$',
        lambda m: _note('dispute closed: %(status)s', status=m['s']),
    ),
]
COMPILED = [(re.compile(pattern, re.S), build) for pattern, build in PATTERNS]
STOCK_ADJUST = re.compile(
    rf'^(?P<code>{"|".join(STOCK_REASON_WORDS)})(?:: (?P<note>.*))?$', re.S
)


def convert(text: str | None) -> dict | None:
    """The note an old English text was written as, or None (keep it as plain text)."""
    for pattern, build in COMPILED:
        match = pattern.match(text or '')
        if match:
            return build(match)
    return None


def convert_stock_adjust(text: str | None) -> dict | None:
    """An audit row of a staff stock adjustment: ``"<reason code>: <their note>"``."""
    match = STOCK_ADJUST.match(text or '')
    if not match:
        return None
    reason = _note(STOCK_REASON_WORDS[match['code']])
    if match['note'] is None:
        return _note('%(reason)s', reason=reason)
    return _note('%(reason)s: %(note)s', reason=reason, note=match['note'])


def english(note) -> str:
    """A note back as English text (downgrade)."""
    if isinstance(note, dict) and 'msgid' in note:
        params = {key: english(value) for key, value in (note.get('params') or {}).items()}
        return note['msgid'] % params if params else note['msgid']
    if isinstance(note, dict):
        if 'rupiah' in note:
            return str(note['rupiah'])
        return str(next(iter(note.values()), ''))
    return '' if note is None else str(note)


def _table(name: str, text_col: str, msg_col: str, *extra: str) -> sa.Table:
    return sa.table(
        name,
        sa.column('id', sa.Integer()),
        sa.column(text_col, sa.String()),
        sa.column(msg_col, sa.JSON()),
        *(sa.column(col, sa.String()) for col in extra),
    )


def upgrade():
    for table, _text, msg in COLUMNS:
        op.add_column(table, sa.Column(msg, sa.JSON(), nullable=True))
    bind = op.get_bind()
    for table, text_col, msg_col in COLUMNS:
        extra = ('action',) if table == 'audit_entry' else ()
        rows_t = _table(table, text_col, msg_col, *extra)
        rows = bind.execute(
            sa.select(rows_t.c.id, rows_t.c[text_col], *(rows_t.c[c] for c in extra)).where(
                rows_t.c[text_col] != ''
            )
        ).all()
        for row in rows:
            if table == 'audit_entry':
                note = convert_stock_adjust(row[1]) if row[2] == 'stock.adjust' else None
            else:
                note = convert(row[1])
            if note is not None:
                bind.execute(
                    sa.update(rows_t)
                    .where(rows_t.c.id == row[0])
                    .values({text_col: '', msg_col: note})
                )


def downgrade():
    bind = op.get_bind()
    for table, text_col, msg_col in COLUMNS:
        rows_t = _table(table, text_col, msg_col)
        rows = bind.execute(
            sa.select(rows_t.c.id, rows_t.c[msg_col]).where(rows_t.c[msg_col].is_not(None))
        ).all()
        limit = 500 if table == 'audit_entry' else 300
        for row_id, note in rows:
            if note is None:  # a JSON null
                continue
            bind.execute(
                sa.update(rows_t)
                .where(rows_t.c.id == row_id)
                .values({text_col: english(note)[:limit]})
            )
    for table, _text, msg in COLUMNS:
        # A plain DROP COLUMN (SQLite 3.35+ has it): a batch copy would lose the partial
        # unique index on ``payment`` and the triggers other tables may carry.
        op.drop_column(table, msg)
