from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange

from shop.dashboard.forms import RupiahField

MAX_FEE = 5_000_000


class RateForm(FlaskForm):
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
