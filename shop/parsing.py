"""One place that reads what people type: ids, page numbers, quantities, rupiah, dates.

Every parser takes the raw text (or ``None``) and returns a value or ``None``; none of
them raises. They accept only ASCII digits: ``str.isdigit()`` also accepts "²" (which
``int()`` refuses) and ``int()`` accepts "٣" and "1_000", neither of which a form of this
shop means. Ranges are bounded by what the database columns hold, so a value parsed here
can always be sent to the database.

``IdConverter`` is the URL converter for ``<id:name>``: the same rule in the path.
"""

from __future__ import annotations

import re
from datetime import date

from werkzeug.routing import BaseConverter, ValidationError

# The integer columns (ids, quantities, amounts) are 32-bit on PostgreSQL.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
MAX_RUPIAH = 999_999_999_999  # 12 digits: more than any price or total in the shop
# Dates a person may ask for: wide, but far from the ends of ``date`` (day arithmetic
# and time zones around year 1 or 9999 overflow).
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)

_DIGITS = re.compile(r"[0-9]+")
_RUPIAH_PREFIX = re.compile(r"^rp\.?", re.IGNORECASE)
# "150000", "150.000", "150,000", "1.250.000" (dots or commas between groups of three),
# optionally followed by ",-" or ",00" / ".00" (how prices are often written).
_RUPIAH = re.compile(
    r"(?P<whole>[0-9]{1,3}(?:(?P<sep>[.,])[0-9]{3}(?:(?P=sep)[0-9]{3})*)?|[0-9]+)"
    r"(?:[.,]-|[.,]00)?"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(raw, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits (an optional leading "-" when ``minimum`` < 0),
    between ``minimum`` and ``maximum``; otherwise None."""
    text = str(raw).strip() if raw is not None else ""
    negative = text.startswith("-") and minimum < 0
    digits = text[1:] if negative else text
    if not _DIGITS.fullmatch(digits) or len(digits) > len(str(max(abs(minimum), maximum))):
        return None
    value = -int(digits) if negative else int(digits)
    return value if minimum <= value <= maximum else None


def parse_id(raw) -> int | None:
    """A database id (1 … 2³¹−1), or None."""
    return parse_int(raw, 1, MAX_ID)


def parse_page(raw, default: int = 1) -> int:
    """A page number (1 … ``MAX_PAGE``); anything else is ``default``."""
    page = parse_int(raw, 1, MAX_PAGE)
    return default if page is None else page


def parse_rupiah(raw) -> int | None:
    """Whole rupiah as people write them: "Rp 150.000", "150.000", "150000", "Rp150.000,-".

    None for anything else (negative amounts, decimals other than ",00", words).
    """
    text = "".join(str(raw).split()) if raw is not None else ""
    text = _RUPIAH_PREFIX.sub("", text)
    match = _RUPIAH.fullmatch(text)
    if not match:
        return None
    return parse_int(re.sub(r"[.,]", "", match["whole"]), 0, MAX_RUPIAH)


def parse_date(raw) -> date | None:
    """An ISO date (``2026-12-01``) between ``MIN_DATE`` and ``MAX_DATE``, or None."""
    text = str(raw).strip() if raw is not None else ""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if MIN_DATE <= value <= MAX_DATE else None


class IdConverter(BaseConverter):
    """``<id:name>``: a database id in the path; anything else (too large, not ASCII
    digits, a leading zero) does not match and the route answers 404."""

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
