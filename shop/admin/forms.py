from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from shop.forms import Form, RupiahField

MAX_FEE = 5_000_000
MAX_TRANSFER = 2_000_000_000  # fits the payment's integer column
TRANSFER_RANGE = NumberRange(
    min=1, max=MAX_TRANSFER, message=_l("Write an amount between Rp 1 and Rp 2.000.000.000.")
)


class RateForm(Form):
    """One courier × zone rate; its prefix (``jne-2``) names which."""

    first_kg = RupiahField(
        _l("First kilogram (Rp)"),
        validators=[
            InputRequired(message=_l("Write the fee in whole rupiah.")),
            NumberRange(min=1, max=MAX_FEE, message=_l("Between Rp 1 and Rp 5.000.000.")),
        ],
    )
    next_kg = RupiahField(
        _l("Each further kilogram (Rp)"),
        validators=[
            InputRequired(message=_l("Write the fee in whole rupiah.")),
            NumberRange(min=0, max=MAX_FEE, message=_l("Between Rp 0 and Rp 5.000.000.")),
        ],
    )


class TransferSearchForm(Form):
    """Find a bank transfer by the exact amount on the bank statement or by order number."""

    class Meta:
        csrf = False  # a GET search changes nothing

    amount = RupiahField(
        _l("Amount (Rp)"),
        validators=[Optional(), TRANSFER_RANGE],
    )
    number = StringField(_l("Order number"), validators=[Optional(), Length(max=20)])


class ConfirmTransferForm(Form):
    """What arrived in the shop's account for one order."""

    amount = RupiahField(
        _l("Amount received (Rp)"),
        validators=[
            InputRequired(message=_l("Write the amount that arrived, in whole rupiah.")),
            TRANSFER_RANGE,
        ],
    )
    reference = StringField(
        _l("Bank reference (optional)"),
        validators=[
            Optional(),
            Length(max=60, message=_l("At most 60 characters.")),
        ],
    )
