from __future__ import annotations

from wtforms import HiddenField, StringField

from shop.forms import Form


class AddToCartForm(Form):
    """Only a product id and a quantity come from the buyer; the price never does."""

    product_id = HiddenField()
    quantity = StringField(default="1")


class QuantityForm(Form):
    quantity = StringField()


class RemoveForm(Form):
    pass
