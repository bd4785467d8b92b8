"""Forms of the administrators' facility screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import TextInput

from shop.facilities.models import FACILITY_KINDS
from shop.forms import Form

_PHONE = Regexp(
    r"^\+?[0-9][0-9 ()\-]{5,24}$",
    message=_l("Write a phone number with digits, like 0812-3456-7890."),
)
_PCT = [
    InputRequired(message=_l("Write a whole percentage.")),
    NumberRange(min=0, max=100, message=_l("Between 0 and 100.")),
]


class PercentField(IntegerField):
    widget = TextInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "numeric", "size": 4}, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0].strip().rstrip("%").strip()
            if not raw:
                self.data = None
                return
            if not raw.isascii() or not raw.isdigit():
                self.data = None
                raise ValueError(_l("Write a whole percentage, like 50."))
            self.data = int(raw)


class SplitFields(Form):
    premi_pct = PercentField(_l("Makers' premi (%)"), validators=_PCT)
    pnbp_pct = PercentField(_l("PNBP (%)"), validators=_PCT)
    capital_pct = PercentField(_l("Production capital (%)"), validators=_PCT)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok:
            total = self.premi_pct.data + self.pnbp_pct.data + self.capital_pct.data
            if total != 100:
                self.premi_pct.errors.append(
                    _l("The three shares must add up to 100%% (now %(total)d%%).", total=total)
                )
                ok = False
        return ok


class FacilityForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Write the facility's name.")), Length(max=200)],
    )
    kind = SelectField(_l("Kind"), choices=[(k, k) for k in FACILITY_KINDS])
    province = StringField(
        _l("Province"),
        validators=[DataRequired(message=_l("Write the province.")), Length(max=80)],
    )
    city = StringField(
        _l("City"), validators=[DataRequired(message=_l("Write the city.")), Length(max=120)]
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    phone = StringField(_l("Phone"), validators=[Optional(), _PHONE])
    whatsapp = StringField(_l("WhatsApp"), validators=[Optional(), _PHONE])
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
        ],
    )
    story = TextAreaField(
        _l("Story for the public page"), validators=[Optional(), Length(max=5000)]
    )
    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=80)])
    bank_account_number = StringField(
        _l("Account number"),
        validators=[
            Optional(),
            Regexp(r"^[0-9][0-9 .\-]{3,38}$", message=_l("Write the account number in digits.")),
        ],
    )
    bank_account_holder = StringField(
        _l("Account holder"), validators=[Optional(), Length(max=120)]
    )


class NewFacilityForm(FacilityForm, SplitFields):
    """A new facility: its details and its first revenue split (from today)."""


class DayField(DateField):
    """A date (``YYYY-MM-DD``, the browser's date picker) with a message in our words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Write the date as year-month-day, like 2027-01-31.")) from None


class SplitForm(SplitFields):
    valid_from = DayField(
        _l("Applies from"),
        validators=[InputRequired(message=_l("Choose the day the split starts."))],
    )


class FacilityPhotoForm(Form):
    photo = FileField(_l("Photo"))


class ConfirmForm(Form):
    """A button that changes something (CSRF only)."""
