"""Stripe's side of the money: the sync button, payouts, and what does not add up."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.forms import StripeSyncForm
from shop.audit import services as audit
from shop.extensions import db
from shop.payments.labels import payout_status_label
from shop.payments.stripe import gateway
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.payments.stripe.sync import stripe_exceptions, sync
from shop.uow import unit_of_work

RECENT_PAYOUTS = 20


def _render(form: StripeSyncForm, error: str | None = None, status: int = 200):
    payouts = db.session.scalars(
        select(StripePayout)
        .order_by(StripePayout.created.desc(), StripePayout.id.desc())
        .limit(RECENT_PAYOUTS)
    ).all()
    synced, last = db.session.execute(
        select(
            func.count(StripeBalanceTransaction.id), func.max(StripeBalanceTransaction.synced_at)
        )
    ).one()
    return render_template(
        "admin/stripe.html",
        form=form,
        error=error,
        payouts=payouts,
        synced=synced,
        last_synced=last,
        exceptions=stripe_exceptions(),
        enabled=gateway.stripe_enabled(),
        payout_status_label=payout_status_label,
    ), status


@bp.get("/stripe")
@admin_required
def stripe_page():
    return _render(StripeSyncForm())


@bp.post("/stripe")
@admin_required
def stripe_sync():
    form = StripeSyncForm()
    if not form.validate_on_submit():
        return _render(
            form, _("The form expired: reload the page and press the button again."), 400
        )
    if not gateway.stripe_enabled():
        return _render(form, _("Stripe is not configured: there is nothing to sync."), 400)
    try:
        result = sync(actor=f"admin:{current_user.email}")
    except gateway.PaymentProviderUnavailable:
        db.session.rollback()
        message = _("Stripe is not answering right now; nothing was changed. Try again shortly.")
        return _render(form, message, 503)
    except gateway.PaymentProviderError:
        db.session.rollback()
        message = _("Stripe refused the request; nothing was changed. Check the Stripe keys.")
        return _render(form, message, 502)
    with unit_of_work():
        audit.record(
            current_user,
            "stripe.sync",
            "stripe",
            None,
            after={
                "transactions_new": result.transactions_new,
                "payouts_new": result.payouts_new,
                "payouts_changed": result.payouts_changed,
                "fees_posted": result.fees_posted,
                "payout_entries": result.payout_entries,
            },
        )
    flash(
        _(
            "Synced with Stripe: %(txns)d new balance transaction(s), %(payouts)d new "
            "payout(s), %(fees)d card fee(s) posted.",
            txns=result.transactions_new,
            payouts=result.payouts_new,
            fees=result.fees_posted,
        ),
        "success",
    )
    return redirect(url_for("admin.stripe_page"), code=303)
