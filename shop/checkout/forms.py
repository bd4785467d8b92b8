from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from shop.checkout.phone import normalize_phone
from shop.forms import Form
from shop.shipping.services import COURIER_NAMES
from shop.shipping.zones import PROVINCES

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _strip(value):
    """Spaces around (and runs of spaces inside) what the buyer typed do not count."""
    return " ".join(value.split()) if isinstance(value, str) else value


# With the filter, ``DataRequired`` refuses a field of only spaces (``InputRequired``
# only checks that something was sent).
STRIPPED = {"filters": [_strip]}


class CheckoutForm(Form):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Please enter your name.")), Length(max=120)],
        **STRIPPED,
    )
    email = StringField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=254),
            Regexp(EMAIL_RE, message=_l("Please enter a valid email address.")),
        ],
        **STRIPPED,
    )
    phone = StringField(
        _l("Phone / WhatsApp"),
        validators=[DataRequired(_l("Please enter a phone number.")), Length(max=30)],
        **STRIPPED,
        description=_l("For example 0812 3456 7890 or +62 812 3456 7890"),
    )
    street = StringField(
        _l("Street address"),
        validators=[DataRequired(_l("Please enter the street address.")), Length(max=300)],
        **STRIPPED,
    )
    province = SelectField(
        _l("Province"),
        choices=[("", _l("Choose a province"))] + [(p, p) for p in PROVINCES],
        validators=[InputRequired(_l("Please choose a province."))],
        validate_choice=True,
    )
    city = StringField(
        _l("City / regency"),
        validators=[DataRequired(_l("Please enter the city or regency.")), Length(max=120)],
        **STRIPPED,
    )
    district = StringField(
        _l("District (kecamatan)"),
        validators=[DataRequired(_l("Please enter the district.")), Length(max=120)],
        **STRIPPED,
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[
            DataRequired(_l("Please enter the postal code.")),
            Regexp(r"^[0-9]{5}$", message=_l("A postal code has 5 digits.")),
        ],
        **STRIPPED,
    )
    note = TextAreaField(
        _l("Note to the workshop (optional)"), validators=[Optional(), Length(max=500)]
    )
    courier = RadioField(
        _l("Courier"),
        choices=list(COURIER_NAMES.items()),
        default="jne",
        validators=[InputRequired(_l("Please choose a courier."))],
    )

    def validate_phone(self, field) -> None:
        normalized = normalize_phone(field.data or "")
        if normalized is None:
            raise ValidationError(_l("Please enter an Indonesian number, e.g. 0812 3456 7890."))
        self.normalized_phone = normalized

    def buyer_data(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "email": self.email.data.strip(),
            "phone": self.normalized_phone,
            "street": self.street.data.strip(),
            "province": self.province.data,
            "city": self.city.data.strip(),
            "district": self.district.data.strip(),
            "postal_code": self.postal_code.data,
            "note": (self.note.data or "").strip(),
            "courier": self.courier.data,
        }


class ConfirmForm(Form):
    idempotency_key = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    expected_total = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]{1,12}$")])
    payment_method = RadioField(
        _l("Payment method"),
        choices=[("bank_transfer", _l("Bank transfer"))],
        default="bank_transfer",
        validators=[InputRequired(_l("Please choose how to pay."))],
    )
