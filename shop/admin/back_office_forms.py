"""Forms of the back office's catalog, order and audit pages (every POST has CSRF)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import TextInput

from shop.forms import Form

MAX_ID = 2**31 - 1


class HideForm(Form):
    reason = TextAreaField(
        _l("Why is it hidden? (the facility sees this)"),
        validators=[
            DataRequired(message=_l("Write why the product is hidden; its facility sees it.")),
            Length(max=300, message=_l("At most 300 characters.")),
        ],
    )


class CategoryForm(Form):
    name_id = StringField(
        _l("Name in Indonesian"),
        validators=[
            DataRequired(message=_l("Write the name in Indonesian.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[
            DataRequired(message=_l("Write the name in English.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )


class MoveForm(Form):
    direction = HiddenField(validators=[DataRequired()])


class MergeForm(Form):
    target = SelectField(_l("Merge into"), coerce=int, validate_choice=True)

    def set_targets(self, categories, exclude_id: int, locale: str) -> None:
        self.target.choices = [(c.id, c.name(locale)) for c in categories if c.id != exclude_id]


class ExtendDeadlineForm(Form):
    days = IntegerField(
        _l("Extend by (days)"),
        widget=TextInput(),
        render_kw={"inputmode": "numeric"},
        validators=[
            InputRequired(message=_l("Write a number of days, from 1 to 14.")),
            NumberRange(min=1, max=14, message=_l("Write a number of days, from 1 to 14.")),
        ],
    )
    reason = StringField(
        _l("Why"),
        validators=[
            DataRequired(message=_l("Write why the deadline moves.")),
            Length(max=300, message=_l("At most 300 characters.")),
        ],
    )

    def validate_days(self, field) -> None:
        raw = (field.raw_data or [""])[0].strip()
        if raw and not raw.isascii():
            raise ValidationError(_l("Write a number of days, from 1 to 14."))


class CancelOrderForm(Form):
    reason = StringField(
        _l("Why is the order cancelled?"),
        validators=[
            DataRequired(message=_l("Write why the order is cancelled.")),
            Length(max=300, message=_l("At most 300 characters.")),
        ],
    )


class NoteForm(Form):
    body = TextAreaField(
        _l("Internal note (never shown to the buyer)"),
        validators=[
            DataRequired(message=_l("Write the note.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
    )


# ---- query-string values (filters): hostile input is ignored, never a 500 ---------------


def int_arg(args, name: str) -> int | None:
    """A positive id from the query string: ASCII digits only, within an SQL integer."""
    raw = (args.get(name) or "").strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def date_arg(args, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw.isascii():
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def page_arg(args) -> int:
    value = int_arg(args, "page")
    return min(value, 100_000) if value else 1
