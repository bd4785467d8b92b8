from flask_babel import lazy_gettext as _l

from shop.system_text import N_

# The msgids (for notes, translated when shown) and the lazily translated labels.
ORDER_STATUS_NAMES = {
    "awaiting_payment": N_("Awaiting payment"),
    "paid": N_("Paid"),
    "expired": N_("Expired"),
    "cancelled": N_("Cancelled"),
    "partially_refunded": N_("Partially refunded"),
    "refunded": N_("Refunded"),
}
ORDER_STATUS_LABELS = {status: _l(name) for status, name in ORDER_STATUS_NAMES.items()}
PART_STATUS_LABELS = {
    "pending": _l("Waiting for payment"),
    "processing": _l("Being prepared"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}
