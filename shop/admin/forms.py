from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from shop.forms import Form, RupiahField
from shop.reconciliation.forms import BankAmountField

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
    """Find a bank transfer by the exact amount on the bank statement or by order number.

    The amount is read as banks write it (``1,500,123.00``, ``Rp 1.500.123,00``, …)."""

    class Meta:
        csrf = False  # a GET search changes nothing

    amount = BankAmountField(
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


REFUND_METHOD_CHOICES = [
    ("bank_transfer", _l("Bank transfer to the buyer's account")),
    ("card", _l("Back to the card, through Stripe")),
]


class RefundForm(Form):
    """Give money back on one order: what (``target``), how much, and how."""

    target = StringField(validators=[InputRequired()])  # "whole", "order" or "part-<id>"
    amount = RupiahField(
        _l("Amount to refund (Rp)"),
        validators=[
            InputRequired(message=_l("Write the amount to refund, in whole rupiah.")),
            TRANSFER_RANGE,
        ],
    )
    method = SelectField(_l("How"), choices=REFUND_METHOD_CHOICES)
    refund_account = StringField(
        _l("Buyer's bank, account number and holder (bank transfer)"),
        validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))],
    )
    reference = StringField(
        _l("Bank reference of the transfer back (bank transfer)"),
        validators=[Optional(), Length(max=60, message=_l("At most 60 characters."))],
    )
    reason = StringField(
        _l("Reason (the buyer sees it)"),
        validators=[
            InputRequired(message=_l("Say why the money goes back.")),
            Length(max=300, message=_l("At most 300 characters.")),
        ],
    )
    key = HiddenField()  # one refund per form shown: a double submit refunds once


class StripeSyncForm(Form):
    """The "sync with Stripe now" button: nothing but its CSRF token."""
