"""Words for payment things, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _


def refund_method_label(method: str | None) -> str:
    return {
        "card": _("back to the card"),
        "bank_transfer": _("by bank transfer"),
    }.get(method or "", _("refunded"))
