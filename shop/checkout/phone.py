"""Indonesian phone numbers to E.164 (``+62…``)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"[0-9]+")


def normalize_phone(raw: str) -> str | None:
    """``0812-3456-7890``, ``62812…`` or ``+62 812…`` → ``+628123456789``; None if invalid."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+62"):
        rest = digits[3:]
    elif digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    else:
        return None
    if not _DIGITS.fullmatch(rest) or rest.startswith("0") or not 8 <= len(rest) <= 12:
        return None
    return "+62" + rest
