from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from shop.checkout.phone import normalize_phone
from shop.shipping.services import COURIER_NAMES
from shop.shipping.zones import PROVINCES

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CheckoutForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[InputRequired(_l("Please enter your name.")), Length(max=120)]
    )
    email = StringField(
        _l("Email"),
        validators=[
            InputRequired(_l("Please enter your email address.")),
            Length(max=254),
            Regexp(EMAIL_RE, message=_l("Please enter a valid email address.")),
        ],
    )
    phone = StringField(
        _l("Phone / WhatsApp"),
        validators=[InputRequired(_l("Please enter a phone number.")), Length(max=30)],
        description=_l("For example 0812 3456 7890 or +62 812 3456 7890"),
    )
    street = StringField(
        _l("Street address"),
        validators=[InputRequired(_l("Please enter the street address.")), Length(max=300)],
    )
    province = SelectField(
        _l("Province"),
        choices=[("", _l("Choose a province"))] + [(p, p) for p in PROVINCES],
        validators=[InputRequired(_l("Please choose a province."))],
        validate_choice=True,
    )
    city = StringField(
        _l("City / regency"),
        validators=[InputRequired(_l("Please enter the city or regency.")), Length(max=120)],
    )
    district = StringField(
        _l("District (kecamatan)"),
        validators=[InputRequired(_l("Please enter the district.")), Length(max=120)],
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[
            InputRequired(_l("Please enter the postal code.")),
            Regexp(r"^\d{5}$", message=_l("A postal code has 5 digits.")),
        ],
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


class ConfirmForm(FlaskForm):
    idempotency_key = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    expected_total = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,12}$")])
    payment_method = RadioField(
        _l("Payment method"),
        choices=[("bank_transfer", _l("Bank transfer"))],
        default="bank_transfer",
        validators=[InputRequired(_l("Please choose how to pay."))],
    )
