"""Facility rules shared by the money core, the dashboard and the admin area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shop.extensions import db
from shop.facilities.models import Facility


@dataclass(frozen=True)
class Split:
    """Whole percentages of a sale's profit: makers' premi, PNBP, production capital."""

    premi_pct: int
    pnbp_pct: int
    capital_pct: int


def split_at(facility_id: int, when: datetime) -> Split:
    """The revenue split in force for ``facility_id`` at ``when``.

    The money core copies it onto an order part when the part is paid, so a later change
    of percentages never rewrites history.
    """
    facility = db.session.get(Facility, facility_id)
    return Split(facility.premi_pct, facility.pnbp_pct, facility.capital_pct)
