"""Random sequences of orders, card and bank payments, duplicate and out-of-order webhooks,
fees, refunds, part cancellations, disputes and expiries keep every rupiah on record:
a zero trial balance, ledger cash equal to the payment rows, facility payables equal to
their copied shares, and no order paid by another order's money."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

import pytest
from card_helpers import start_card
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from order_helpers import place, shop_with_products
from sqlalchemy import select

from shop.checkout.services import CheckoutProblem
from shop.extensions import db
from shop.inventory.services import OutOfStock
from shop.ledger.check import problems
from shop.ledger.models import JournalEntry
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.payments import core, refunds
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.payments.models import Payment, PaymentTransaction
from shop.payments.stripe import gateway
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.refunds import refund_by_card
from shop.payments.stripe.sync import sync
from shop.payments.stripe.webhooks import handle_event, record_fee_and_net
from shop.sqltypes import utcnow
from shop.uow import unit_of_work

REFUSED = (PaymentError, core.RefundError, orders.TransitionError, CheckoutProblem, OutOfStock)


def _empty_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _write(fn):
    with contextlib.suppress(*REFUSED), unit_of_work():
        return fn()


class MoneyMachine(RuleBasedStateMachine):
    fake = None  # the FakeStripe, set by the test

    @initialize(stocks=st.lists(st.integers(1, 4), min_size=2, max_size=3))
    def setup(self, stocks):
        _empty_tables()
        self.fake._idempotency.clear()  # order ids start again in every example
        self.fake.balance_transactions.clear()  # a new Stripe balance for a new shop
        self.fake.payouts.clear()
        self.products = [p.id for p in shop_with_products(on_hand=tuple(stocks), facilities=2)]
        self.orders: list[int] = []
        self.events: list[dict] = []
        self.clock = utcnow()

    # ---- buying --------------------------------------------------------------------------

    @rule(data=st.data(), card=st.booleans())
    def place_order(self, data, card):
        items = {
            pid: data.draw(st.integers(1, 2))
            for pid in data.draw(st.lists(st.sampled_from(self.products), min_size=1, unique=True))
        }
        try:
            order = place(
                items, secrets.token_hex(8), payment_method="card" if card else "bank_transfer"
            )
        except REFUSED:
            return
        self.orders.append(order.id)
        if card:
            with contextlib.suppress(gateway.PaymentProviderError, Exception):
                start_card(order.id)

    def _pick(self, data, statuses=None) -> Order | None:
        db.session.commit()
        candidates = [
            o
            for o in (db.session.get(Order, i, populate_existing=True) for i in self.orders)
            if statuses is None or o.status in statuses
        ]
        return data.draw(st.sampled_from(candidates)) if candidates else None

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), extra=st.sampled_from([0, 0, 7_000, -1_000]))
    def bank_transfer_arrives(self, data, extra):
        order = self._pick(data, {"awaiting_payment", "expired", "paid"})
        if order is not None:
            ref = secrets.token_hex(4)
            _write(lambda: confirm_bank_transfer(order.id, order.amount_due + extra, "bank", ref))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def card_paid(self, data):
        order = self._pick(data)
        checkout = order and db.session.scalar(
            select(StripeCheckout).where(
                StripeCheckout.order_id == order.id, StripeCheckout.session_status == "open"
            )
        )
        if checkout is None:
            return
        with contextlib.suppress(ValueError):
            event = self.fake.complete(checkout.session_id)
            self.events.append(event)
            handle_event(event)

    @precondition(lambda self: self.events)
    @rule(data=st.data())
    def webhook_replayed_or_late(self, data):
        """A duplicate delivery, or an old event arriving after newer ones."""
        handle_event(data.draw(st.sampled_from(self.events)))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def stripe_reports_the_fee(self, data):
        order = self._pick(data)
        checkout = order and db.session.scalar(
            select(StripeCheckout).where(StripeCheckout.order_id == order.id)
        )
        if checkout is not None:
            record_fee_and_net(checkout.id)

    @rule()
    def a_day_passes(self):
        self.clock += timedelta(hours=25)
        orders.expire_due_orders(self.clock)

    # ---- giving back ---------------------------------------------------------------------

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def facility_cancels_a_paid_part(self, data):
        order = self._pick(data, {"paid", "partially_refunded"})
        if order is None:
            return
        part = data.draw(st.sampled_from(orders.parts_of(order.id)))
        _write(lambda: orders.cancel_paid_part(part.id, "staff", "tidak bisa dikirim"))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), by_card=st.booleans(), share=st.sampled_from([1, 2, 3]))
    def administrator_refunds(self, data, by_card, share):
        order = self._pick(data)
        if order is None:
            return
        opts = refunds.options(order.id)
        targets = [("order", None, opts.unapplied), ("whole", None, opts.whole)]
        targets += [("part", p.id, due or held) for p, due, held in opts.parts]
        kind, part_id, room = data.draw(st.sampled_from(targets))
        amount = room if kind == "whole" else max(room // share, 1)
        request = refunds.RefundRequest(
            order.id,
            amount,
            "card" if by_card else "bank_transfer",
            "uji",
            part_id=part_id,
            whole=kind == "whole",
            reference=secrets.token_hex(4),
            refund_account="BCA 1 Uji",
        )
        if by_card:
            with contextlib.suppress(*REFUSED, gateway.PaymentProviderError):
                refund_by_card(request, "admin", secrets.token_hex(8))
        else:
            _write(lambda: refunds.refund_by_bank(request, "admin"))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def buyer_disputes(self, data):
        order = self._pick(data)
        checkout = order and db.session.scalar(
            select(StripeCheckout).where(
                StripeCheckout.order_id == order.id, StripeCheckout.payment_intent_id.is_not(None)
            )
        )
        if checkout is not None and not checkout.disputed:
            with contextlib.suppress(KeyError):
                event = self.fake.dispute(checkout.payment_intent_id)
                self.events.append(event)
                handle_event(event)

    # ---- Stripe's balance, synced ----------------------------------------------------------

    @rule()
    def stripe_sync_runs(self):
        """The hourly sync; run again at once it finds nothing new to write or post."""
        sync()
        again = sync()
        assert (again.transactions_new, again.payouts_new, again.payouts_changed) == (0, 0, 0)
        assert (again.fees_posted, again.payout_entries) == (0, 0)

    @precondition(lambda self: self.fake.balance_transactions)
    @rule(status=st.sampled_from(["paid", "in_transit"]))
    def stripe_pays_out(self, status):
        with contextlib.suppress(ValueError):  # nothing available
            self.fake.create_payout(status=status)

    @precondition(lambda self: self.fake.payouts)
    @rule(data=st.data(), status=st.sampled_from(["paid", "failed"]))
    def payout_lands_or_bounces(self, data, status):
        travelling = [p["id"] for p in self.fake.payouts.values() if p["status"] == "in_transit"]
        if travelling:
            self.fake.settle_payout(data.draw(st.sampled_from(travelling)), status)

    # ---- what must always hold -----------------------------------------------------------

    @invariant()
    def every_rupiah_adds_up(self):
        db.session.commit()
        for kind in db.session.scalars(select(JournalEntry.kind).distinct()):
            event(f"ledger entry: {kind}")
        assert problems() == []
        db.session.commit()

    @invariant()
    def no_order_is_paid_with_another_orders_money(self):
        db.session.commit()
        rows = db.session.execute(
            select(JournalEntry.order_id, PaymentTransaction.order_id, Payment.order_id)
            .join(
                PaymentTransaction,
                db.cast(PaymentTransaction.id, db.String) == JournalEntry.source_id,
            )
            .join(Payment, Payment.id == PaymentTransaction.payment_id)
            .where(JournalEntry.source_type == "payment_transaction")
        ).all()
        assert all(a == b == c for a, b, c in rows), rows
        for order in db.session.scalars(select(Order)):
            if order.status in ("paid", "partially_refunded", "refunded"):
                applied = db.session.scalar(
                    select(JournalEntry.id).where(
                        JournalEntry.order_id == order.id, JournalEntry.kind == "payment_received"
                    )
                )
                assert applied is not None, order.number
                assert all(p.premi is not None for p in orders.parts_of(order.id))
            else:
                assert (
                    db.session.scalar(
                        select(FacilityOrder.premi).where(
                            FacilityOrder.order_id == order.id, FacilityOrder.premi.is_not(None)
                        )
                    )
                    is None
                    or order.status == "expired"
                )
        db.session.commit()


@pytest.mark.usefixtures("stripe_app")
def test_money_state_machine(fake_stripe):
    MoneyMachine.fake = fake_stripe
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            # Shrinking a long money story takes minutes; the failing steps print anyway.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
