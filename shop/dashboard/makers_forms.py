"""Forms of the dashboard's makers section."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from shop.admin.facilities_forms import DayField
from shop.forms import Form
from shop.parsing import parse_id


class MakerForm(Form):
    name = StringField(
        _l("First name or pseudonym"),
        validators=[
            DataRequired(message=_l("Write a first name or a pseudonym.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    consent = BooleanField(
        _l("The maker agreed to be shown by this name"),
        validators=[InputRequired(message=_l("Makers are named only with their consent."))],
    )
    consent_on = DayField(
        _l("Day of consent"),
        validators=[InputRequired(message=_l("Write the day the maker agreed."))],
    )


class _IntChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.data = sorted({i for i in map(parse_id, valuelist) if i is not None})

    def pre_validate(self, form) -> None:
        pass  # the service refuses another facility's products


class MakerProductsForm(Form):
    products = _IntChoices(_l("Products this maker worked on"), coerce=int)
