"""The shop's form base class and the fields that read numbers people type.

Every form derives from :class:`Form` (a ``FlaskForm``): WTForms' own messages ("This
field is required.", "Not a valid integer value.", …) are then translated from our
catalogs (``shop/translations``), since WTForms ships no Indonesian. Numbers are read by
:mod:`shop.parsing`, the same rules as the query string and the URL.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from shop.parsing import MAX_ID, parse_int, parse_rupiah


class _CatalogTranslations:
    """WTForms' translations interface, answered by Flask-Babel's merged catalogs."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string) if has_request_context() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogTranslations()


class Form(FlaskForm):
    """Base of every form of the shop (CSRF from Flask-WTF, messages in the user's language)."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS


class WholeNumberField(IntegerField):
    """A whole number in ASCII digits (optionally negative), within ``minimum``…``maximum``.

    WTForms' ``IntegerField`` uses ``int()``, which takes "٣" and "1_000"; this field takes
    what :func:`shop.parsing.parse_int` takes and says so in the user's language.
    """

    message = _l("Write a whole number, like 10.")

    def __init__(self, *args, minimum: int = -MAX_ID, maximum: int = MAX_ID, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _parse(self, raw: str) -> int | None:
        return parse_int(raw, self.minimum, self.maximum)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        if not raw:
            self.data = None
            return
        self.data = self._parse(raw)
        if self.data is None:
            raise ValueError(self.message)

    def pre_validate(self, form) -> None:
        """One message for unreadable input, not a second one from a range check."""
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return str(self.data) if self.data is not None else ""


class RupiahField(WholeNumberField):
    """Whole rupiah; accepts "150000", "150.000" and "Rp 150.000".

    A text input with a numeric keyboard: in a number input the browser refuses
    "Rp 150.000" before the form is sent.
    """

    widget = TextInput()
    message = _l("Write a whole number of rupiah, like 150000.")

    def __init__(self, *args, render_kw: dict | None = None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "numeric", **(render_kw or {})}, **kwargs)

    def _parse(self, raw: str) -> int | None:
        return parse_rupiah(raw)
