"""Notes the shop's own code writes into audit rows (payment changes, stock movements) are
stored in English, the language of the code; people read them in theirs. Each kind of
note is one pattern here and one message in the catalogs."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from shop.i18n import format_rupiah


def _ref(match: re.Match, group: str = "ref") -> str:
    ref = match.groupdict().get(group)
    return _(" (reference %(ref)s)", ref=ref) if ref else ""


def _money(match: re.Match, group: str) -> str:
    return format_rupiah(int(match.group(group)))


REF = r"(?: \(ref (?P<ref>.+)\))?"
PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"^order paid$"), lambda m: _("order paid")),
    (re.compile(r"^payment deadline passed$"), lambda m: _("payment deadline passed")),
    (
        re.compile(
            rf"^received (?P<a>\d+), order total (?P<t>\d+)(?P<below>: below the total)?{REF}$"
        ),
        lambda m: (
            _(
                "received %(received)s, order total %(total)s",
                received=_money(m, "a"),
                total=_money(m, "t"),
            )
            + (_(": below the total") if m.group("below") else "")
            + _ref(m)
        ),
    ),
    (
        re.compile(
            rf"^(?:received (?P<a>\d+); )?paid after the order expired and the stock is gone: "
            rf"refund{REF}$"
        ),
        lambda m: (
            (_("received %(received)s; ", received=_money(m, "a")) if m.group("a") else "")
            + _("paid after the order expired and the stock is gone: refund")
            + _ref(m)
        ),
    ),
    (
        re.compile(r"^received (?P<a>\d+), (?P<x>\d+) more than asked: refund$"),
        lambda m: _(
            "received %(received)s, %(extra)s more than asked: refund",
            received=_money(m, "a"),
            extra=_money(m, "x"),
        ),
    ),
    (
        re.compile(rf"^bank transfer (?P<a>\d+) confirmed{REF}$"),
        lambda m: _("bank transfer of %(amount)s confirmed", amount=_money(m, "a")) + _ref(m),
    ),
    (
        re.compile(r"^refund (?P<a>\d+) \((?P<how>card|bank_transfer)\)$"),
        lambda m: _(
            "refund of %(amount)s (%(how)s)",
            amount=_money(m, "a"),
            how=_("card") if m.group("how") == "card" else _("bank transfer"),
        ),
    ),
    (
        re.compile(r"^order (?P<s>expired|cancelled): (?P<why>.*)$"),
        lambda m: (
            (_("order expired") if m.group("s") == "expired" else _("order cancelled"))
            + ": "
            + system_text(m.group("why"))
        ),
    ),
    (
        re.compile(r"^Checkout Session (?P<id>\S+) opened$"),
        lambda m: _("Checkout Session %(id)s opened", id=m.group("id")),
    ),
    (re.compile(r"^paid (?P<a>\d+) IDR$"), lambda m: _("paid %(amount)s", amount=_money(m, "a"))),
    (
        re.compile(r"^checkout completed; payment still processing$"),
        lambda m: _("checkout completed; payment still processing"),
    ),
    (re.compile(r"^delayed payment failed$"), lambda m: _("delayed payment failed")),
    (re.compile(r"^Checkout Session expired$"), lambda m: _("Checkout Session expired")),
    (
        re.compile(r"^buyer left the Stripe page \(cancel\)$"),
        lambda m: _("buyer left the Stripe page without paying"),
    ),
    (
        re.compile(r"^buyer switched to bank transfer$"),
        lambda m: _("buyer switched to bank transfer"),
    ),
]


def system_text(text: str | None) -> str:
    """``text`` in the reader's language when the shop wrote it; as it is otherwise (a
    person's own words, an unknown note)."""
    if not text:
        return ""
    for pattern, render in PATTERNS:
        match = pattern.match(text)
        if match:
            return render(match)
    return text
