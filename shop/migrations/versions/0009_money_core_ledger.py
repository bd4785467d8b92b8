"""money core: payment transactions, a double-entry ledger, split copied onto paid parts

Revision ID: 0009moneycore
Revises: 0008auditlog
Create Date: 2026-12-01 07:40:00

Existing money is carried over: every paid order gets its capture row and its sale entry
(the split of each part copied from its facility's percentages now), every part cancelled
after payment its move into "refunds due", every refund (Stripe refunds first, the rest of
``shop_order.refunded_amount`` after) a refund row and its entries, and money that paid
nothing (late, too little) its capture into "refunds due". Then the counters go:
``shop_order.refunded_amount`` and ``stripe_checkout.refunded_amount``.

The backfill is frozen SQL and arithmetic, not the application's models, so later
changes to the models cannot break it.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import shop.sqltypes  # noqa: F401  (custom column types)


revision = '0009moneycore'
down_revision = '0008auditlog'
branch_labels = None
depends_on = None

PART_COLUMNS = ('material_cost', 'premi', 'pnbp', 'capital', 'premi_pct', 'pnbp_pct', 'capital_pct')
KINDS = {
    'bank': 'asset', 'stripe': 'asset', 'refunds_due': 'liability',
    'fac_material': 'liability', 'fac_premi': 'liability', 'fac_pnbp': 'liability',
    'fac_capital': 'liability', 'fac_shipping': 'liability',
    'unique_code_income': 'income', 'card_fees': 'expense', 'dispute_losses': 'expense',
}
SHARES = ('fac_material', 'fac_premi', 'fac_pnbp', 'fac_capital', 'fac_shipping')


def upgrade():
    op.create_table(
        'ledger_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('asset', 'liability', 'income', 'expense', 'equity')", name=op.f('ck_ledger_account_kind_known')),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_ledger_account_facility_id_facility')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_account')),
        sa.UniqueConstraint('code', 'facility_id', name='uq_ledger_account_code_facility'),
    )
    op.create_index(op.f('ix_ledger_account_facility_id'), 'ledger_account', ['facility_id'])
    op.create_index(
        'uq_ledger_account_code_shared', 'ledger_account', ['code'], unique=True,
        sqlite_where=sa.text('facility_id IS NULL'), postgresql_where=sa.text('facility_id IS NULL'),
    )
    op.create_table(
        'journal_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('source_type', sa.String(length=40), nullable=False),
        sa.Column('source_id', sa.String(length=120), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('memo', sa.String(length=300), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('created_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_journal_entry_order_id_shop_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry')),
        sa.UniqueConstraint('source_type', 'source_id', 'kind', name='uq_journal_entry_source'),
    )
    op.create_index('ix_journal_entry_order', 'journal_entry', ['order_id'])
    op.create_index(op.f('ix_journal_entry_created_at'), 'journal_entry', ['created_at'])
    op.create_table(
        'posting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('facility_order_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('amount <> 0', name=op.f('ck_posting_amount_nonzero')),
        sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], name=op.f('fk_posting_account_id_ledger_account')),
        sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_posting_entry_id_journal_entry')),
        sa.ForeignKeyConstraint(['facility_order_id'], ['facility_order.id'], name=op.f('fk_posting_facility_order_id_facility_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_posting')),
    )
    op.create_index(op.f('ix_posting_entry_id'), 'posting', ['entry_id'])
    op.create_index(op.f('ix_posting_account_id'), 'posting', ['account_id'])
    op.create_index(op.f('ix_posting_facility_order_id'), 'posting', ['facility_order_id'])
    op.create_table(
        'payment_transaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=255), nullable=False),
        sa.Column('facility_order_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=True),
        sa.Column('refund_account', sa.String(length=200), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('created_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('capture', 'refund', 'fee', 'dispute', 'dispute_reversal')", name=op.f('ck_payment_transaction_kind_known')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_payment_transaction_amount_positive')),
        sa.CheckConstraint("method IS NULL OR method IN ('card', 'bank_transfer')", name=op.f('ck_payment_transaction_method_known')),
        sa.ForeignKeyConstraint(['facility_order_id'], ['facility_order.id'], name=op.f('fk_payment_transaction_facility_order_id_facility_order')),
        sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_transaction_order_id_shop_order')),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_payment_transaction_payment_id_payment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_transaction')),
        sa.UniqueConstraint('reference', name=op.f('uq_payment_transaction_reference')),
    )
    op.create_index(op.f('ix_payment_transaction_payment_id'), 'payment_transaction', ['payment_id'])
    op.create_index(op.f('ix_payment_transaction_order_id'), 'payment_transaction', ['order_id'])
    for column in PART_COLUMNS:
        op.add_column('facility_order', sa.Column(column, sa.Integer(), nullable=True))
    op.add_column('stripe_refund', sa.Column('order_id', sa.Integer(), nullable=True))
    op.add_column('stripe_refund', sa.Column('facility_order_id', sa.Integer(), nullable=True))
    op.add_column('stripe_refund', sa.Column('whole', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        'UPDATE stripe_refund SET order_id = (SELECT order_id FROM payment WHERE payment.id = stripe_refund.payment_id)'
    )

    _carry_money_over(op.get_bind())

    with op.batch_alter_table('stripe_refund') as batch:
        batch.alter_column('order_id', existing_type=sa.Integer(), nullable=False)
        batch.create_index(batch.f('ix_stripe_refund_order_id'), ['order_id'])
        batch.create_foreign_key(batch.f('fk_stripe_refund_order_id_shop_order'), 'shop_order', ['order_id'], ['id'])
        batch.create_foreign_key(batch.f('fk_stripe_refund_facility_order_id_facility_order'), 'facility_order', ['facility_order_id'], ['id'])
    with op.batch_alter_table('shop_order') as batch:
        batch.drop_constraint('refund_within_paid', type_='check')
        batch.drop_column('refunded_amount')
    with op.batch_alter_table('stripe_checkout') as batch:
        batch.drop_constraint('refunded_nonnegative', type_='check')
        batch.drop_column('refunded_amount')


def downgrade():
    with op.batch_alter_table('stripe_checkout') as batch:
        batch.add_column(sa.Column('refunded_amount', sa.Integer(), nullable=False, server_default='0'))
        batch.create_check_constraint('refunded_nonnegative', 'refunded_amount >= 0')
    with op.batch_alter_table('shop_order') as batch:
        batch.add_column(sa.Column('refunded_amount', sa.Integer(), nullable=False, server_default='0'))
    op.execute(
        "UPDATE shop_order SET refunded_amount = (SELECT COALESCE(SUM(amount), 0) FROM payment_transaction t "
        "WHERE t.order_id = shop_order.id AND t.kind = 'refund')"
    )
    op.execute(
        "UPDATE stripe_checkout SET refunded_amount = (SELECT COALESCE(SUM(amount), 0) FROM payment_transaction t "
        "WHERE t.payment_id = stripe_checkout.payment_id AND t.kind = 'refund')"
    )
    with op.batch_alter_table('shop_order') as batch:
        batch.create_check_constraint('refund_within_paid', 'refunded_amount BETWEEN 0 AND amount_due')
    with op.batch_alter_table('stripe_refund') as batch:
        batch.drop_constraint('fk_stripe_refund_facility_order_id_facility_order', type_='foreignkey')
        batch.drop_constraint('fk_stripe_refund_order_id_shop_order', type_='foreignkey')
        batch.drop_index('ix_stripe_refund_order_id')
        batch.drop_column('whole')
        batch.drop_column('facility_order_id')
        batch.drop_column('order_id')
    with op.batch_alter_table('facility_order') as batch:
        for column in reversed(PART_COLUMNS):
            batch.drop_column(column)
    op.drop_table('payment_transaction')
    op.drop_table('posting')
    op.drop_table('journal_entry')
    op.drop_table('ledger_account')


# ---- carrying existing money over (frozen arithmetic, same rules as shop.ledger) --------


def _split(price, material, pcts):
    material = min(max(material, 0), price)
    profit = price - material
    exact = [profit * pct for pct in pcts]
    shares = [value // 100 for value in exact]
    for i in sorted(range(3), key=lambda i: (-(exact[i] % 100), i))[: profit - sum(shares)]:
        shares[i] += 1
    return material, shares


class _Ledger:
    def __init__(self, conn):
        self.conn = conn
        self.accounts = {}
        self.now = datetime.now(timezone.utc).replace(tzinfo=None) if conn.dialect.name == 'sqlite' else datetime.now(timezone.utc)

    def account(self, code, facility_id=None):
        key = (code, facility_id)
        if key not in self.accounts:
            self.accounts[key] = self.conn.execute(
                sa.text('INSERT INTO ledger_account (code, kind, facility_id) VALUES (:c, :k, :f) RETURNING id'),
                {'c': code, 'k': KINDS[code], 'f': facility_id},
            ).scalar_one()
        return self.accounts[key]

    def post(self, kind, source_type, source_id, order_id, lines):
        lines = [line for line in lines if line[1]]
        assert sum(line[1] for line in lines) == 0, (kind, source_id, lines)
        if not lines:
            return
        entry = self.conn.execute(
            sa.text(
                'INSERT INTO journal_entry (kind, source_type, source_id, order_id, memo, actor, created_at) '
                "VALUES (:k, :t, :s, :o, 'carried over by migration 0009', 'migration', :n) RETURNING id"
            ),
            {'k': kind, 't': source_type, 's': str(source_id), 'o': order_id, 'n': self.now},
        ).scalar_one()
        for code, amount, facility_id, part_id in lines:
            self.conn.execute(
                sa.text('INSERT INTO posting (entry_id, account_id, amount, facility_order_id) VALUES (:e, :a, :m, :p)'),
                {'e': entry, 'a': self.account(code, facility_id), 'm': amount, 'p': part_id},
            )

    def transaction(self, payment_id, order_id, kind, amount, reference, part_id=None, method=None):
        return self.conn.execute(
            sa.text(
                'INSERT INTO payment_transaction (payment_id, order_id, kind, amount, reference, facility_order_id, '
                "method, refund_account, actor, note, created_at) VALUES (:p, :o, :k, :m, :r, :f, :me, '', 'migration', "
                "'carried over by migration 0009', :n) RETURNING id"
            ),
            {'p': payment_id, 'o': order_id, 'k': kind, 'm': amount, 'r': reference, 'f': part_id, 'me': method, 'n': self.now},
        ).scalar_one()


def _carry_money_over(conn):
    ledger = _Ledger(conn)
    q = lambda sql, **kw: conn.execute(sa.text(sql), kw).mappings().all()  # noqa: E731
    paid_statuses = "('paid', 'partially_refunded', 'refunded')"
    for order in q(f'SELECT * FROM shop_order WHERE status IN {paid_statuses} ORDER BY id'):
        payment = next(iter(q(
            "SELECT * FROM payment WHERE order_id = :o AND status IN ('succeeded', 'refunded') ORDER BY id", o=order['id']
        )), None)
        if payment is None:
            continue
        cash = 'bank' if payment['provider'] == 'bank_transfer' else 'stripe'
        amount = payment['amount_received'] or payment['amount']
        held = {}  # part id -> {code: [facility, owed]}
        lines = [(cash, amount, None, None)]
        for part in q('SELECT * FROM facility_order WHERE order_id = :o ORDER BY id', o=order['id']):
            facility = q('SELECT premi_pct, pnbp_pct, capital_pct FROM facility WHERE id = :f', f=part['facility_id'])[0]
            pcts = (facility['premi_pct'], facility['pnbp_pct'], facility['capital_pct'])
            material = conn.execute(sa.text(
                'SELECT COALESCE(SUM(material_cost * quantity), 0) FROM order_line WHERE facility_order_id = :p'
            ), {'p': part['id']}).scalar_one()
            material, (premi, pnbp, capital) = _split(part['subtotal'], int(material), pcts)
            conn.execute(sa.text(
                'UPDATE facility_order SET material_cost = :m, premi = :a, pnbp = :b, capital = :c, '
                'premi_pct = :x, pnbp_pct = :y, capital_pct = :z WHERE id = :p'
            ), {'m': material, 'a': premi, 'b': pnbp, 'c': capital, 'x': pcts[0], 'y': pcts[1], 'z': pcts[2], 'p': part['id']})
            shares = dict(zip(SHARES, (material, premi, pnbp, capital, part['shipping_fee'])))
            held[part['id']] = {code: [part['facility_id'], value] for code, value in shares.items()}
            lines += [(code, -value, part['facility_id'], part['id']) for code, value in shares.items()]
            if part['status'] == 'cancelled':
                held[part['id']]['cancelled'] = True
        extra = amount - order['total']
        code_income = min(extra, order['unique_code'])
        lines += [('unique_code_income', -code_income, None, None), ('refunds_due', -(extra - code_income), None, None)]
        txn = ledger.transaction(payment['id'], order['id'], 'capture', amount, f"migrated:payment-{payment['id']}")
        ledger.post('payment_received', 'payment_transaction', txn, order['id'], lines)
        for part_id, shares in held.items():
            if shares.pop('cancelled', False):
                _grant(ledger, order['id'], part_id, shares, None, 'part_cancelled', 'facility_order', part_id)
        # refunds: Stripe's rows first, then whatever else the order counter says
        refunded = order['refunded_amount'] or 0
        rows = q("SELECT * FROM stripe_refund WHERE order_id = :o AND status = 'succeeded' ORDER BY id", o=order['id'])
        pieces = [(r['payment_id'], r['amount'], r['refund_id'] or f"migrated:stripe-refund-{r['id']}", 'card') for r in rows]
        rest = refunded - sum(p[1] for p in pieces)
        if rest > 0:
            pieces.append((payment['id'], rest, f"migrated:order-{order['id']}-refund", 'card' if cash == 'stripe' else 'bank_transfer'))
        for payment_id, value, reference, method in pieces:
            due = -conn.execute(sa.text(
                "SELECT COALESCE(SUM(p.amount), 0) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
                "JOIN journal_entry e ON e.id = p.entry_id WHERE a.code = 'refunds_due' AND e.order_id = :o"
            ), {'o': order['id']}).scalar_one()
            need = value - due
            for part_id, shares in held.items():
                if need <= 0:
                    break
                take = min(need, sum(v for _f, v in shares.values()))
                if take > 0:
                    _grant(ledger, order['id'], part_id, shares, take, 'refund_granted', 'refund', f'{reference}:{part_id}')
                    need -= take
            txn = ledger.transaction(payment_id, order['id'], 'refund', value, reference, method=method)
            out = 'stripe' if method == 'card' else 'bank'
            ledger.post('refund_paid', 'payment_transaction', txn, order['id'], [('refunds_due', value, None, None), (out, -value, None, None)])
    # money that arrived and paid nothing
    for payment in q(
        "SELECT p.*, c.amount_reported FROM payment p LEFT JOIN stripe_checkout c ON c.payment_id = p.id "
        "WHERE p.status = 'needs_review' ORDER BY p.id"
    ):
        amount = payment['amount_received'] or payment['amount_reported'] or 0
        if amount <= 0 or conn.execute(sa.text(
            'SELECT COUNT(*) FROM payment_transaction WHERE payment_id = :p'), {'p': payment['id']}
        ).scalar_one():
            continue
        cash = 'bank' if payment['provider'] == 'bank_transfer' else 'stripe'
        txn = ledger.transaction(payment['id'], payment['order_id'], 'capture', amount, f"migrated:payment-{payment['id']}")
        ledger.post('payment_unapplied', 'payment_transaction', txn, payment['order_id'],
                    [(cash, amount, None, None), ('refunds_due', -amount, None, None)])


def _grant(ledger, order_id, part_id, shares, amount, kind, source_type, source_id):
    """Move ``amount`` (all when None) of a part's shares into refunds due, proportionally."""
    codes = [c for c in SHARES if shares.get(c, [None, 0])[1] > 0]
    total = sum(shares[c][1] for c in codes)
    amount = total if amount is None else amount
    if not total or not amount:
        return
    exact = [amount * shares[c][1] for c in codes]
    taken = [v // total for v in exact]
    for i in sorted(range(len(codes)), key=lambda i: (-(exact[i] % total), i))[: amount - sum(taken)]:
        taken[i] += 1
    lines = [(c, t, shares[c][0], part_id) for c, t in zip(codes, taken)]
    for c, t in zip(codes, taken):
        shares[c][1] -= t
    ledger.post(kind, source_type, source_id, order_id, lines + [('refunds_due', -amount, None, None)])
