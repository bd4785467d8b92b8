"""Words for payment things, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Stripe's dispute reasons (https://docs.stripe.com/api/disputes/object#dispute_object-reason)
DISPUTE_REASONS = {
    "bank_cannot_process": _l("the bank cannot process it"),
    "check_returned": _l("cheque returned"),
    "credit_not_processed": _l("refund not processed"),
    "customer_initiated": _l("started by the buyer"),
    "debit_not_authorized": _l("debit not authorised"),
    "duplicate": _l("charged twice"),
    "fraudulent": _l("fraudulent"),
    "general": _l("general"),
    "incorrect_account_details": _l("wrong account details"),
    "insufficient_funds": _l("insufficient funds"),
    "product_not_received": _l("product not received"),
    "product_unacceptable": _l("product unacceptable"),
    "subscription_canceled": _l("subscription cancelled"),
    "unrecognized": _l("charge not recognised"),
}


def refund_method_label(method: str | None) -> str:
    return {
        "card": _("back to the card"),
        "bank_transfer": _("by bank transfer"),
    }.get(method or "", _("refunded"))


def money_kind_label(kind: str) -> str:
    """What one movement of money on a payment was."""
    return {
        "capture": _("Money received"),
        "refund": _("Money refunded"),
        "fee": _("Card fee"),
        "dispute": _("Taken back for a dispute"),
        "dispute_reversal": _("Dispute won: money returned"),
    }.get(kind, kind)


def payout_status_label(status: str) -> str:
    """Where a Stripe payout to the shop's bank is."""
    return {
        "pending": _("Pending"),
        "in_transit": _("On its way to the bank"),
        "paid": _("In the bank"),
        "failed": _("Failed: back at Stripe"),
        "canceled": _("Cancelled: back at Stripe"),
    }.get(status, status)
