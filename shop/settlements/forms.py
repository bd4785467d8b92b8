from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from shop.forms import Form

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_of(text: str) -> tuple[int, int] | None:
    """``"2026-11"`` → ``(2026, 11)``; None when it is not a month (ASCII digits only)."""
    found = MONTH.match((text or "").strip())
    if not found or not found.group(0).isascii():
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return (year, month) if 2000 <= year <= 2999 and 1 <= month <= 12 else None


class BuildForm(Form):
    """Build a facility's settlement of one calendar month."""

    facility_id = SelectField(
        _l("Facility"), coerce=int, validators=[InputRequired(_l("Choose a facility."))]
    )
    month = StringField(
        _l("Month (YYYY-MM)"),
        validators=[InputRequired(_l("Write the month as YYYY-MM, e.g. 2026-11."))],
    )

    def validate_month(self, field):
        if month_of(field.data) is None:
            raise ValidationError(_l("Write the month as YYYY-MM, e.g. 2026-11."))


class ActionForm(Form):
    """Rebuild, approve or delete: only the CSRF token."""


class PaidForm(Form):
    reference = StringField(
        _l("Bank transfer reference"),
        validators=[
            InputRequired(_l("Write the bank's reference of the transfer.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    paid_on = DateField(
        _l("Transfer date"),
        validators=[InputRequired(_l("Write the date of the transfer (YYYY-MM-DD)."))],
    )
