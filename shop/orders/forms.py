from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from shop.forms import Form


class LookupForm(Form):
    number = StringField(
        _l("Order number"),
        validators=[InputRequired(_l("Please enter the order number.")), Length(max=20)],
        description=_l("For example KB-2611-7QX4"),
    )
    email = StringField(
        _l("Email used for the order"),
        validators=[InputRequired(_l("Please enter your email address.")), Length(max=254)],
    )
