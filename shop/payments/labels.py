"""Words for payment things, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from shop.system_text import N_

# Stripe's dispute reasons, as msgids for notes
# (https://docs.stripe.com/api/disputes/object#dispute_object-reason)
DISPUTE_REASONS = {
    "bank_cannot_process": N_("the bank cannot process it"),
    "check_returned": N_("cheque returned"),
    "credit_not_processed": N_("refund not processed"),
    "customer_initiated": N_("started by the buyer"),
    "debit_not_authorized": N_("debit not authorised"),
    "duplicate": N_("charged twice"),
    "fraudulent": N_("fraudulent"),
    "general": N_("general"),
    "incorrect_account_details": N_("wrong account details"),
    "insufficient_funds": N_("insufficient funds"),
    "product_not_received": N_("product not received"),
    "product_unacceptable": N_("product unacceptable"),
    "subscription_canceled": N_("subscription cancelled"),
    "unrecognized": N_("charge not recognised"),
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
