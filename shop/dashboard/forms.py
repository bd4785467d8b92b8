from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from shop.catalog.product_services import ProductData
from shop.forms import Form, RupiahField, WholeNumberField


class ProductForm(Form):
    version = HiddenField()
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the product a name.")), Length(max=200)],
    )
    category_id = SelectField(
        _l("Category"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a category."))],
        validate_choice=True,
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    technique = StringField(_l("Technique"), validators=[Length(max=200)])
    materials = StringField(_l("Materials"), validators=[Length(max=300)])
    price = RupiahField(
        _l("Price (Rp)"),
        validators=[
            InputRequired(message=_l("Set a price.")),
            NumberRange(min=1, max=1_000_000_000, message=_l("The price must be more than 0.")),
        ],
    )
    material_cost = RupiahField(
        _l("Material cost (Rp)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000_000, message=_l("Cannot be negative.")),
        ],
    )
    weight_grams = WholeNumberField(
        _l("Weight (grams, packed)"),
        validators=[
            InputRequired(message=_l("Set the weight (needed for shipping).")),
            NumberRange(min=1, max=100_000, message=_l("Between 1 and 100000 grams.")),
        ],
    )
    dimensions = StringField(_l("Dimensions"), validators=[Length(max=120)])
    sku = StringField(
        _l("SKU (stock code)"),
        validators=[
            DataRequired(message=_l("Give the product a stock code.")),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message=_l("Letters, digits, dot, dash and underscore only."),
            ),
        ],
    )
    one_of_a_kind = BooleanField(_l("One of a kind (there is only this piece)"))
    maker_name = StringField(_l("Maker's first name or pseudonym"), validators=[Length(max=40)])
    maker_consent = BooleanField(_l("The maker agreed to be named on the product page"))

    def set_categories(self, categories, locale: str) -> None:
        self.category_id.choices = [(0, _l("Choose…"))] + [
            (c.id, c.name(locale)) for c in categories
        ]

    def to_data(self) -> ProductData:
        return ProductData(
            name=self.name.data.strip(),
            category_id=self.category_id.data,
            sku=self.sku.data.strip(),
            price=self.price.data,
            weight_grams=self.weight_grams.data,
            description=(self.description.data or "").strip(),
            technique=(self.technique.data or "").strip(),
            materials=(self.materials.data or "").strip(),
            dimensions=(self.dimensions.data or "").strip(),
            material_cost=self.material_cost.data or 0,
            one_of_a_kind=bool(self.one_of_a_kind.data),
            maker_name=(self.maker_name.data or "").strip(),
            maker_consent=bool(self.maker_consent.data),
        )


class StatusForm(Form):
    version = HiddenField()
    target = HiddenField(validators=[DataRequired()])


# ---- stock, photos and fulfilment (dashboard sections beyond products) -----------------


class StockAdjustForm(Form):
    reason = SelectField(
        _l("Reason"),
        choices=[
            ("production", _l("New production batch")),
            ("damaged", _l("Damaged")),
            ("correction", _l("Count correction")),
            ("returned", _l("Returned")),
        ],
        validate_choice=True,
    )
    change = WholeNumberField(
        _l("Change (pieces)"),
        validators=[InputRequired(message=_l("Write how many pieces to add or remove."))],
    )
    note = StringField(_l("Note"), validators=[Length(max=300)])


class ThresholdForm(Form):
    threshold = WholeNumberField(
        _l("Low-stock threshold"),
        validators=[
            InputRequired(message=_l("Write a number of pieces.")),
            NumberRange(min=0, max=100_000, message=_l("Between 0 and 100000.")),
        ],
    )


class ActionForm(Form):
    """A button that only needs the CSRF token (mark packed, upload)."""


class PhotoForm(Form):
    alt_text = StringField(_l("Description (alt text)"), validators=[Length(max=300)])
    action = HiddenField()


class ShipForm(Form):
    courier = SelectField(
        _l("Courier"),
        choices=[("jne", "JNE"), ("jnt", "J&T Express"), ("pos", "POS Indonesia")],
        validate_choice=True,
    )
    tracking_number = StringField(
        _l("Tracking number"),
        validators=[DataRequired(message=_l("Write the tracking number.")), Length(max=60)],
    )


class CancelPartForm(Form):
    reason = TextAreaField(
        _l("Why can it not be sent?"),
        validators=[
            DataRequired(message=_l("Say why the part cannot be sent.")),
            Length(max=300),
        ],
    )
