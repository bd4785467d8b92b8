"""Moved to :mod:`shop.core.timezone` (domains need WIB too); kept for older imports."""

from shop.core.timezone import JAKARTA, day_start, jakarta_today

__all__ = ["JAKARTA", "day_start", "jakarta_today"]
