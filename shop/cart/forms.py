from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class AddToCartForm(FlaskForm):
    """Only a product id and a quantity come from the buyer; the price never does."""

    product_id = HiddenField()
    quantity = StringField(default="1")


class QuantityForm(FlaskForm):
    quantity = StringField()


class RemoveForm(FlaskForm):
    pass
