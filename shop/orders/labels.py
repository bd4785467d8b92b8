from flask_babel import lazy_gettext as _l

ORDER_STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"),
    "paid": _l("Paid"),
    "expired": _l("Expired"),
    "cancelled": _l("Cancelled"),
    "partially_refunded": _l("Partially refunded"),
    "refunded": _l("Refunded"),
}
PART_STATUS_LABELS = {
    "pending": _l("Waiting for payment"),
    "processing": _l("Being prepared"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}
