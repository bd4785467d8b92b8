"""Amounts as Indonesian banks write them, read into whole rupiah.

The rules, decided once (``parse_bank_amount``):

- ``Rp``, ``Rp.`` or ``IDR`` in front, spaces anywhere, are ignored.
- A separator (``.`` or ``,``) followed by exactly **three** digits groups thousands;
  followed by exactly **two** digits at the end it is the decimal mark, and those two
  digits must be ``00`` (rupiah have no cents; ``150.000,50`` is refused, never rounded).
  Anything else (``1.5``, ``1.5000``) is refused rather than guessed.
- So ``1.500`` and ``1,500`` are both Rp 1.500 — never 1,5 rupiah — and ``1.500.123``,
  ``1,500,123``, ``1.500.123,00``, ``1,500,123.00``, ``2062921`` all read as 1500123.
- Thousands separators must be the same character throughout and different from the
  decimal mark (``1.500,123.00`` is refused).
- ``.00`` alone (Mandiri's empty column) is zero.
- Only ASCII digits: a lookalike digit (Arabic-Indic, full-width) is refused.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# Larger than any statement line we expect; keeps the value inside a BIGINT.
MAX_AMOUNT = 10**15

_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:(?P<sep>[.,])[0-9]{3})(?:(?P=sep)[0-9]{3})*$")


class AmountError(ValueError):
    """An amount that cannot be read; ``reason`` says why in the user's language."""

    def __init__(self, reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _integer_part(text: str) -> int:
    if text.isascii() and text.isdigit():
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"[.,]", "", text))
    raise AmountError(_l("“%(text)s” is not an amount in rupiah.", text=text))


def parse_bank_amount(text: str, allow_negative: bool = False) -> int:
    """``"Rp 1.500.123,00"`` → ``1500123``; raises :class:`AmountError` when unreadable."""
    raw = (text or "").strip()
    value = raw.replace("\u00a0", " ")
    negative = False
    if value.startswith("-"):
        negative, value = True, value[1:].strip()
    value = _PREFIX.sub("", value).replace(" ", "")
    if value.startswith("-"):  # "Rp -1.500"
        negative, value = True, value[1:]
    if value.endswith("-"):  # some exports write debits as "1.500,00-"
        negative, value = True, value[:-1]
    if not value:
        raise AmountError(_l("No amount."))
    if not value.isascii():
        raise AmountError(_l("“%(text)s” is not an amount in rupiah.", text=raw))
    match = re.match(r"^(?P<int>[0-9.,]*?)(?:(?P<dec>[.,])(?P<cents>[0-9]{2}))?$", value)
    if match and not match.group("int") and match.group("cents") == "00":
        return 0  # Mandiri writes an empty debit or credit as ".00"
    if not match or not match.group("int"):
        raise AmountError(_l("“%(text)s” is not an amount in rupiah.", text=raw))
    integer, decimal_mark, cents = match.group("int"), match.group("dec"), match.group("cents")
    if decimal_mark and decimal_mark in integer:
        # "1.500.12" or "1,500,12": a thousands group of two digits, not cents.
        raise AmountError(_l("“%(text)s” is not an amount in rupiah.", text=raw))
    if cents is not None and cents != "00":
        raise AmountError(
            _l("“%(text)s” has cents; rupiah amounts must end in ,00 or nothing.", text=raw)
        )
    try:
        amount = _integer_part(integer)
    except AmountError:
        raise AmountError(_l("“%(text)s” is not an amount in rupiah.", text=raw)) from None
    if amount > MAX_AMOUNT:
        raise AmountError(_l("“%(text)s” is too large.", text=raw))
    if negative:
        if not allow_negative:
            raise AmountError(
                _l("“%(text)s” is negative; write the amount without a sign.", text=raw)
            )
        return -amount
    return amount
