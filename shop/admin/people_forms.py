"""Forms of the administrators' people screens (staff and administrator accounts)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from shop.forms import Form
from shop.parsing import parse_id

ROLE_CHOICES = [("staff", _l("Facility staff")), ("admin", _l("Administrator"))]


def _facility_id(value) -> int | None:
    return parse_id(str(value))


class _FacilityChoice(SelectField):
    """A facility by id; the empty choice reads as None."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=_facility_id, **kwargs)

    def process_formdata(self, valuelist):
        self.data = parse_id(valuelist[0]) if valuelist else None

    def pre_validate(self, form) -> None:
        if self.data is not None and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose a facility."))


class InviteForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
        ],
    )
    name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="staff")
    facility_id = _FacilityChoice(_l("Facility (for staff)"), choices=[])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.role.data == "staff" and self.facility_id.data is None:
            self.facility_id.errors.append(_l("Staff belong to a facility: choose one."))
            ok = False
        return ok


class MoveForm(Form):
    facility_id = _FacilityChoice(_l("Facility"), choices=[])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.facility_id.data is None:
            self.facility_id.errors.append(_l("Choose a facility."))
            ok = False
        return ok
