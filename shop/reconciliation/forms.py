"""Forms of the reconciliation pages, and the amount field that reads bank writings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from shop.dashboard.forms import RupiahField
from shop.forms import Form
from shop.reconciliation.amounts import AmountError, parse_bank_amount

MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class BankAmountField(RupiahField):
    """Whole rupiah as a person or a bank writes them: ``150000``, ``Rp 150.000``,
    ``1,500,123.00``, ``IDR 1.500.123,00`` (see :mod:`shop.reconciliation.amounts`)."""

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0].strip()
            if not raw:
                self.data = None
                return
            try:
                self.data = parse_bank_amount(raw)
            except AmountError as error:
                self.data = None
                raise ValueError(error.reason) from None


BANK_CHOICES = [
    ("auto", _l("Recognise automatically")),
    ("bca", "BCA (KlikBCA)"),
    ("mandiri", "Mandiri"),
    ("bni", "BNI"),
    ("bri", "BRI"),
    ("csv", _l("Other bank: CSV, I choose the columns")),
]


class UploadForm(Form):
    statement = FileField(_l("Statement file (CSV)"))
    bank = SelectField(_l("Bank"), choices=BANK_CHOICES, default="auto")


class MappingForm(Form):
    """A generic CSV: which column holds what. The file travels back in ``content``."""

    content = HiddenField()
    filename = HiddenField()
    date = SelectField(_l("Date column"), validators=[DataRequired()])
    description = SelectField(_l("Description column"), validators=[DataRequired()])
    amount = SelectField(_l("Amount column (negative = money out)"), validators=[Optional()])
    debit = SelectField(_l("Debit column (money out)"), validators=[Optional()])
    credit = SelectField(_l("Credit column (money in)"), validators=[Optional()])
    reference = SelectField(_l("Reference column (optional)"), validators=[Optional()])
    balance = SelectField(_l("Balance column (optional)"), validators=[Optional()])

    def set_columns(self, names: list[str]) -> None:
        none = [("", _l("— none —"))]
        columns = [(n, n) for n in names]
        for name in ("date", "description"):
            getattr(self, name).choices = columns
        for name in ("amount", "debit", "credit", "reference", "balance"):
            getattr(self, name).choices = none + columns


NOTE = Length(max=500, message=_l("At most 500 characters."))


# The line page holds four forms: each has a prefix ("match-note", "notours-note"…)
# so their fields' ids, and the labels pointing at them, stay unique.


class MatchForm(Form):
    order_number = StringField(
        _l("Order number"),
        validators=[
            InputRequired(message=_l("Choose an order or write its number.")),
            Length(max=20),
        ],
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), NOTE])


class SplitPart(Form):
    class Meta:
        csrf = False

    order_number = StringField(_l("Order number"), validators=[Optional(), Length(max=20)])
    amount = BankAmountField(_l("Amount (Rp)"), validators=[Optional()])


class SplitForm(Form):
    parts = FieldList(FormField(SplitPart), min_entries=4, max_entries=10)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), NOTE])

    def filled_parts(self) -> list[tuple[str, int | None]]:
        return [
            (p.order_number.data.strip(), p.amount.data)
            for p in self.parts
            if (p.order_number.data or "").strip() or p.amount.data is not None
        ]


class NotOursForm(Form):
    note = TextAreaField(
        _l("Why is it not ours?"),
        validators=[
            InputRequired(message=_l("Say why this line is not a payment for an order.")),
            NOTE,
        ],
    )


class UndoForm(Form):
    note = TextAreaField(_l("Why undo? (optional)"), validators=[Optional(), NOTE])


# ---- resolving exceptions ----------------------------------------------------------------

RESOLVE_NOTE = [
    InputRequired(message=_l("Write a note: what was done about it.")),
    NOTE,
]


class ResolveForm(Form):
    """Acknowledge or link an item of the exceptions queue, with a note."""

    note = TextAreaField(_l("Note"), validators=RESOLVE_NOTE)


class LinkForm(Form):
    """Link the money found (a statement line or a Stripe charge) to a paid order."""

    target = SelectField(
        _l("Where the money is"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose where the money is."))],
    )
    note = TextAreaField(_l("Note"), validators=RESOLVE_NOTE)


class WriteOffLineForm(Form):
    order_number = StringField(
        _l("Order number"),
        validators=[
            InputRequired(message=_l("Choose an order or write its number.")),
            Length(max=20),
        ],
    )
    note = TextAreaField(_l("Why write off the difference?"), validators=RESOLVE_NOTE)
