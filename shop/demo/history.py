"""Months of demo history, lived through the real services in time order.

Orders are placed over the months by bank transfer and by card; transfers arrive at the
bank and the administrator imports each day's statement (auto-match confirms the order,
a transfer the import could not place is matched by hand); card payments and refunds
arrive as Stripe's webhook events would, through :func:`handle_event`; facilities pack,
ship and deliver; some parts are cancelled and refunded by bank or card; past months are
settled (drafted, approved, paid). Every money movement is posted by the service that
moves it, so ``ledger-check`` is clean after a seed.

What the bank saw is written as KlikBCA exports (the receiving account) and Mandiri
exports (the account refunds and settlements are paid from), one file per month. The
last day's credits are not imported: importing the current month's BCA file in
``/admin/rekonsiliasi`` confirms the awaiting orders they pay and lists the exceptions
(an unknown credit, an amount without its unique code, a payment after the deadline).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from shop.accounts.models import User
from shop.checkout.services import CheckoutProblem, place_order
from shop.core.timezone import JAKARTA, jakarta_today
from shop.demo.bank_files import BankLine, bca_csv, mandiri_csv
from shop.demo.orders import COURIER_PREFIX, _buyer, demo_cart
from shop.demo.seed import ADMIN_EMAIL
from shop.demo.stripe_history import StripeMove, store_stripe_history
from shop.extensions import db
from shop.facilities.models import Facility
from shop.inventory.services import OutOfStock
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.payments import core
from shop.payments.refunds import RefundRequest, refund_by_bank
from shop.payments.stripe import gateway
from shop.payments.stripe.records import record_session
from shop.payments.stripe.webhooks import handle_event
from shop.reconciliation.models import StatementLine
from shop.reconciliation.services import import_statement
from shop.reconciliation.services.matching import LineError, mark_not_ours, match_by_hand
from shop.settlements import services as settlements
from shop.shipping.services import ShippingUnavailable, ensure_default_rates
from shop.uow import unit_of_work

BCA_OPENING = 25_000_000
MANDIRI_OPENING = 150_000_000
STAFF = "demo:staff"
BUYER = "buyer"


@dataclass
class HistoryResult:
    placed: int = 0
    statuses: Counter = field(default_factory=Counter)
    imports: int = 0
    refunds: int = 0
    disputes: int = 0
    stripe_payouts: int = 0
    settlements: Counter = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _next_month(day: date) -> date:
    return _month_start(day, -1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at a Jakarta wall-clock time, as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=JAKARTA)


def _wib(moment: datetime) -> date:
    return jakarta_today(moment)


class _History:
    def __init__(self, rng: random.Random, now: datetime, months: int) -> None:
        self.rng = rng
        self.now = now
        self.today = jakarta_today(now)
        self.start = _month_start(self.today, months)
        self.queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.seq = itertools.count()
        self.bca: dict[date, list[tuple[BankLine, int | None]]] = defaultdict(list)
        self.mandiri: dict[date, list[BankLine]] = defaultdict(list)
        self.result = HistoryResult()
        self.serial = itertools.count(1)
        self.disputed = False
        # Payment methods with a cancelled, refunded part so far: the first paid order of
        # each method loses a part, so both kinds of refund are shown whatever the dice.
        self.cancelled_methods: set[str] = set()
        self.stripe_moves: list[StripeMove] = []
        self.admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL)) or ADMIN_EMAIL

    # -- the clock ------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[datetime], None]) -> None:
        if when <= self.now:
            heapq.heappush(self.queue, (when, next(self.seq), action))

    def run(self) -> None:
        while self.queue:
            when, _n, action = heapq.heappop(self.queue)
            action(when)

    # -- orders ---------------------------------------------------------------------------

    def _place(self, when: datetime, method: str, tries: int = 3) -> Order | None:
        """An order of what is for sale (:func:`demo_cart`); a buyer who meets a problem
        picks again (up to ``tries`` times)."""
        rng = self.rng
        for _ in range(tries):
            n = next(self.serial)
            try:
                with unit_of_work():
                    items = demo_cart(rng)
                    if not items:
                        return None
                    order, _ = place_order(
                        items,
                        _buyer(rng, n),
                        rng.choice(["jne", "jnt", "pos"]),
                        f"demo-history-{n}-{rng.getrandbits(48):012x}",
                        locale=rng.choice(["id", "id", "en"]),
                        now=when,
                        actor=BUYER,
                        payment_method=method,
                    )
            except (OutOfStock, CheckoutProblem, ShippingUnavailable):
                continue
            self.result.placed += 1
            return order
        return None

    def history_order(self, when: datetime) -> None:
        """An order of the past months and what became of it."""
        rng = self.rng
        method = "card" if rng.random() < 0.35 else "bank_transfer"
        order = self._place(when, method)
        if order is None:
            return
        if rng.random() < (0.12 if method == "bank_transfer" else 0.06):
            self.at(order.payment_deadline + timedelta(minutes=5), self._expire(order.id))
            return
        if method == "card":
            paid = when + timedelta(minutes=rng.randrange(2, 25))
            self.at(paid, self._card_paid(order.id))
        else:
            sent = when + timedelta(minutes=rng.randrange(20, 20 * 60))
            self.bank_credit(_wib(sent), order.amount_due, order.name, order.id)
            paid = _at(_wib(sent), 23, 55)  # confirmed by that evening's import
        self.at(paid + timedelta(hours=rng.randrange(16, 48)), self._fulfil(order.id))

    def _expire(self, order_id: int) -> Callable[[datetime], None]:
        def act(now: datetime) -> None:
            with unit_of_work():
                orders.expire_order(order_id, now, "system")

        return act

    def bank_credit(self, day: date, amount: int, name: str, order_id: int | None) -> None:
        """A buyer's transfer as KlikBCA books it; ``order_id`` says whom it was for."""
        rng = self.rng
        first = name.upper()[:18]
        kind = rng.random()
        if kind < 0.5:
            text = (
                f"TRSF E-BANKING CR {day:%d%m}/FTSCY/WS{rng.randrange(10_000, 99_999)} "
                f"{amount}.00 {first}"
            )
        elif kind < 0.8:
            text = f"BI-FAST CR BIF TRANSFER DR {rng.choice(['002', '008', '009'])} {first}"
        else:
            text = f"SWITCHING CR TRF {rng.choice(['451', '014', '022'])} {first}"
        self.bca[day].append((BankLine(day, text, amount, "C"), order_id))

    def _card_paid(self, order_id: int) -> Callable[[datetime], None]:
        """Stripe's Checkout Session for the order, then its ``completed`` event."""

        def act(now: datetime) -> None:
            order = db.session.get(Order, order_id)
            tag = f"{order_id:06d}{self.rng.getrandbits(40):010x}"
            session_id, pi = f"cs_demo_{tag}", f"pi_demo_{tag}"
            with unit_of_work():
                order = orders.lock_order(order_id)
                record_session(
                    order,
                    session_id,
                    order.total,
                    order.payment_deadline,
                    BUYER,
                    now=now - timedelta(minutes=1),
                )
            event = {
                "id": f"evt_demo_paid_{tag}",
                "type": "checkout.session.completed",
                "created": int(now.timestamp()),
                "data": {
                    "object": {
                        "id": session_id,
                        "object": "checkout.session",
                        "payment_status": "paid",
                        "status": "complete",
                        "currency": gateway.CURRENCY,
                        "amount_total": gateway.to_stripe_amount(order.total),
                        "payment_intent": pi,
                        "client_reference_id": order.number,
                        "metadata": {"order_id": str(order_id)},
                    }
                },
            }
            handle_event(event, now=now)
            self.stripe_moves.append(StripeMove(now, "charge", order.total, pi, f"ch_demo_{tag}"))

        return act

    def _fulfil(self, order_id: int) -> Callable[[datetime], None]:
        """The facility packs and ships the paid order, or one part is cancelled."""

        def act(now: datetime) -> None:
            rng = self.rng
            order = db.session.get(Order, order_id, populate_existing=True)
            if order.status != "paid":
                return
            parts = list(
                db.session.scalars(
                    select(FacilityOrder)
                    .where(FacilityOrder.order_id == order_id)
                    .order_by(FacilityOrder.id)
                )
            )
            cancel = rng.random() < 0.1 or order.payment_method not in self.cancelled_methods
            if cancel:
                self.cancelled_methods.add(order.payment_method)
            for index, part in enumerate(parts):
                if cancel and index == 0:
                    with unit_of_work():
                        orders.cancel_paid_part(
                            part.id, STAFF, "Produk rusak saat pengemasan; dana dikembalikan", now
                        )
                    self.at(now + timedelta(hours=rng.randrange(4, 30)), self._refund(part.id))
                    continue
                with unit_of_work():
                    orders.mark_part_packed(part.id, STAFF, now=now)
                    tracking = f"{COURIER_PREFIX[part.courier]}{rng.randrange(10**11, 10**12)}"
                    orders.ship_part(part.id, tracking, STAFF, now=now + timedelta(hours=3))
                delivered = now + timedelta(days=rng.randrange(2, 7))
                self.at(delivered, self._delivered(part.id))

        return act

    def _delivered(self, part_id: int) -> Callable[[datetime], None]:
        def act(now: datetime) -> None:
            with unit_of_work():
                part = orders.mark_part_delivered(part_id, "courier", now=now)
                order = db.session.get(Order, part.order_id)
            recent = now > self.now - timedelta(days=45)
            if order.payment_method == "card" and recent and not self.disputed:
                self.disputed = True
                self.at(now + timedelta(days=3), self._dispute(order.id))

        return act

    def _dispute(self, order_id: int) -> Callable[[datetime], None]:
        """A buyer disputes one card payment with their bank; Stripe tells the shop."""

        def act(now: datetime) -> None:
            from shop.payments.stripe.models import StripeCheckout

            checkout = db.session.scalar(
                select(StripeCheckout).where(StripeCheckout.order_id == order_id)
            )
            event = {
                "id": f"evt_demo_dispute_{order_id}",
                "type": "charge.dispute.created",
                "created": int(now.timestamp()),
                "data": {
                    "object": {
                        "id": f"dp_demo_{order_id}",
                        "object": "dispute",
                        "payment_intent": checkout.payment_intent_id,
                        "amount": gateway.to_stripe_amount(checkout.amount),
                        "reason": "product_not_received",
                        "status": "needs_response",
                    }
                },
            }
            handle_event(event, now=now)
            self.result.disputes += 1
            self.stripe_moves.append(
                StripeMove(
                    now,
                    "adjustment",
                    -checkout.amount,
                    checkout.payment_intent_id,
                    f"dp_demo_{order_id}",
                )
            )

        return act

    def _refund(self, part_id: int) -> Callable[[datetime], None]:
        """The cancelled part's money goes back the way it came."""

        def act(now: datetime) -> None:
            part = db.session.get(FacilityOrder, part_id, populate_existing=True)
            order = db.session.get(Order, part.order_id)
            due = core.refund_due_of(part)
            if due <= 0:
                return
            if order.payment_method == "card":
                from shop.payments.stripe.models import StripeCheckout

                checkout = db.session.scalar(
                    select(StripeCheckout).where(StripeCheckout.order_id == order.id)
                )
                event = {
                    "id": f"evt_demo_refund_{part_id}",
                    "type": "charge.refunded",
                    "created": int(now.timestamp()),
                    "data": {
                        "object": {
                            "id": f"ch_demo_{part_id}",
                            "object": "charge",
                            "payment_intent": checkout.payment_intent_id,
                            "amount_refunded": gateway.to_stripe_amount(due),
                        }
                    },
                }
                handle_event(event, now=now)
                # At Stripe the refund's source is its re_… id; the demo's refunds are
                # recorded under their event's id, which stands for it here.
                self.stripe_moves.append(
                    StripeMove(now, "refund", -due, checkout.payment_intent_id, event["id"])
                )
            else:
                reference = f"RF{now:%y%m%d}{part_id:05d}"
                account = f"BCA 52{self.rng.randrange(10**7, 10**8)} a.n. {order.name}"
                with unit_of_work():
                    refund_by_bank(
                        RefundRequest(
                            order.id,
                            due,
                            "bank_transfer",
                            "Bagian pesanan dibatalkan",
                            part_id=part_id,
                            reference=reference,
                            refund_account=account,
                        ),
                        ADMIN_EMAIL,
                        now=now,
                    )
                self.mandiri[_wib(now)].append(
                    BankLine(
                        _wib(now),
                        f"Transfer ke {order.name.upper()} | refund {order.number}",
                        due,
                        "D",
                        reference,
                    )
                )
            self.result.refunds += 1

        return act

    # -- the bank and the administrator -------------------------------------------------

    def import_day(self, day: date) -> Callable[[datetime], None]:
        """The administrator imports the day's KlikBCA statement; whatever the automatic
        match could not place is matched by hand (or marked not ours)."""

        def act(now: datetime) -> None:
            lines = self.bca.get(day, [])
            if not lines:
                return
            opening = self.bca_opening(day)
            content = bca_csv([line for line, _ in lines], day, day, opening).encode()
            with unit_of_work():
                result = import_statement(
                    content, f"bca-{day:%Y%m%d}.csv", self.admin, "bca", now=now
                )
            self.result.imports += 1
            intended = {line.description: order_id for line, order_id in lines}
            for row in result.new_lines:
                if row.direction != "C":
                    continue
                row = db.session.get(StatementLine, row.id, populate_existing=True)
                if row.status != "unmatched":
                    continue
                order_id = intended.get(row.description)
                with unit_of_work():
                    if order_id is None:
                        mark_not_ours(row.id, self.admin, "Bunga rekening", now=now)
                        continue
                    number = db.session.get(Order, order_id).number
                    with contextlib.suppress(LineError):  # the order cannot take it: leave it
                        match_by_hand(
                            row.id, number, self.admin, "Transfer terlambat dicek manual", now=now
                        )

        return act

    def bca_opening(self, day: date) -> int:
        """The receiving account's balance at the start of ``day`` (as every export says)."""
        return BCA_OPENING + sum(
            line.amount if line.direction == "C" else -line.amount
            for booked, lines in self.bca.items()
            if booked < day
            for line, _ in lines
        )

    def month_end(self, month: date) -> Callable[[datetime], None]:
        """Bank fees and interest at the end of a month."""

        def act(now: datetime) -> None:
            last = _next_month(month) - timedelta(days=1)
            self.bca[last].append((BankLine(last, "BIAYA ADM", 10_000, "D"), None))
            interest = 1_000 + self.rng.randrange(0, 9_000)
            self.bca[last].append((BankLine(last, "BUNGA", interest, "C"), None))
            self.mandiri[last].append(
                BankLine(last, "Biaya administrasi | ", 12_500, "D", f"{last:%y%m%d}0000000001")
            )

        return act

    def settle_month(self, month: date, stage: str) -> Callable[[datetime], None]:
        """Settle each facility's ``month`` as an administrator would have: "paid" (built,
        approved, paid), "mixed" (a third left approved, the rest paid) or "draft" (half
        drafts, half left for the administrator to build)."""

        def act(now: datetime) -> None:
            facility_ids = list(db.session.scalars(select(Facility.id).order_by(Facility.id)))
            before = sum(self.result.settlements.values())
            for facility_id in facility_ids:
                with unit_of_work():
                    try:
                        settlement = settlements.build(
                            facility_id, month.year, month.month, self.admin, now=now
                        )
                    except settlements.SettlementError:
                        continue
                    if settlement.amount <= 0:
                        settlements.remove(settlement.id, self.admin, now=now)
                        continue
                    state, built = stage, sum(self.result.settlements.values()) - before
                    if stage == "mixed":
                        state = "approved" if built % 3 == 0 else "paid"
                    elif stage == "draft" and built % 2 == 1:
                        settlements.remove(settlement.id, self.admin, now=now)
                        self.result.settlements["left to build"] += 1
                        continue  # left for the administrator to build
                    if state in ("approved", "paid"):
                        settlements.approve(settlement.id, self.admin, now=now)
                    if state == "paid":
                        paid_on = jakarta_today(now)
                        reference = f"SETL{paid_on:%y%m%d}{facility_id:04d}"
                        settlements.mark_paid(settlement.id, reference, paid_on, self.admin, now)
                        name = db.session.get(Facility, facility_id).name.upper()
                        self.mandiri[paid_on].append(
                            BankLine(
                                paid_on,
                                f"Transfer ke {name[:40]} | bagi hasil {month:%m/%Y}",
                                settlement.amount,
                                "D",
                                reference,
                            )
                        )
                    self.result.settlements[state] += 1

        return act

    # -- the last day: what the administrator will import -------------------------------

    def fresh(self) -> None:
        """Orders of the last hours and the credits that have not been imported yet."""
        rng, now, today = self.rng, self.now, self.today

        def credit(text: str, amount: int, order_id: int | None) -> None:
            self.bca[today].append((BankLine(today, text, amount, "C"), order_id))

        for n in range(4):
            when = now - timedelta(hours=5 - n, minutes=rng.randrange(60))
            order = self._place(when, "bank_transfer")
            if order is None:
                continue
            name = order.name.upper()
            if n < 3:  # paid to the rupiah: the import confirms these
                credit(f"BI-FAST CR BIF TRANSFER DR 008 {name}", order.amount_due, order.id)
            else:  # paid without the unique code: a near miss for a person to look at
                credit(f"SWITCHING CR TRF 451 {name}", order.total, order.id)
        late = self._place(now - timedelta(hours=30), "bank_transfer")
        if late is not None:  # paid after its deadline: the order has expired
            with unit_of_work():
                orders.expire_order(late.id, late.payment_deadline + timedelta(minutes=5))
            credit(
                f"TRSF E-BANKING CR {today:%d%m}/FTSCY/WS95031 {late.amount_due}.00 "
                f"{late.name.upper()}",
                late.amount_due,
                late.id,
            )
        # a transfer that pays no order of the shop's
        unknown = f"TRSF E-BANKING CR {today:%d%m}/FTSCY/WS90001 250000.00 HENDRA GUNAWAN"
        credit(unknown, 250_000, None)
        for _ in range(2):  # awaiting, nothing at the bank yet
            when = now - timedelta(hours=rng.randrange(1, 10))
            self._place(when, rng.choice(["bank_transfer", "card"]))

    # -- files --------------------------------------------------------------------------

    def write_files(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        mandiri_balance = MANDIRI_OPENING
        month = self.start
        while month <= self.today:
            end = min(_next_month(month) - timedelta(days=1), self.today)
            days = [month + timedelta(days=i) for i in range((end - month).days + 1)]
            bca_lines = [line for day in days for line, _ in self.bca.get(day, [])]
            path = directory / f"bca-{month:%Y-%m}.csv"
            opening = self.bca_opening(month)
            path.write_text(bca_csv(bca_lines, month, end, opening), encoding="utf-8")
            written.append(path)
            mandiri_lines = [line for day in days for line in self.mandiri.get(day, [])]
            path = directory / f"mandiri-{month:%Y-%m}.csv"
            path.write_text(mandiri_csv(mandiri_lines, mandiri_balance), encoding="utf-8")
            written.append(path)
            mandiri_balance -= sum(line.amount for line in mandiri_lines)
            month = _next_month(month)
        return written


class _QuietFees(logging.Filter):
    """The demo's card payments were never at Stripe, so their fee cannot be looked up:
    the webhook path's per-payment warning about it is left out of the seed's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not known yet" not in record.getMessage()


def seed_demo_history(
    months: int,
    orders_per_month: int,
    rng: random.Random,
    statements_dir: Path,
    now: datetime,
) -> HistoryResult:
    """Live ``months`` calendar months (and the current one so far) of the shop."""
    with unit_of_work():
        ensure_default_rates("demo")
    history = _History(rng, now, months)
    start = _at(history.start, 0)
    span = (now - timedelta(days=2) - start).total_seconds()
    count = orders_per_month * months
    for _ in range(count):
        # busier in the evening, as shops are
        when = start + timedelta(seconds=rng.uniform(0, span))
        when = when.replace(hour=rng.choice([1, 3, 5, 7, 9, 11, 12, 13, 14, 15, 16]))
        history.at(min(when, now - timedelta(days=2)), history.history_order)
    day = history.start
    while day < history.today:
        history.at(_at(day, 23, 50), history.import_day(day))
        day += timedelta(days=1)
    month = history.start
    while month < _month_start(history.today):
        history.at(_at(_next_month(month) - timedelta(days=1), 20), history.month_end(month))
        month = _next_month(month)
    ended = []
    month = history.start
    while month < _month_start(history.today):
        ended.append(month)
        month = _next_month(month)
    for index, month in enumerate(ended):
        stage = "paid" if index < len(ended) - 2 else "mixed"
        if index == len(ended) - 1:
            stage = "draft"
        when = _at(_next_month(month) + timedelta(days=2), 10)
        history.at(min(when, now - timedelta(hours=1)), history.settle_month(month, stage))
    # The demo's card payments were never at Stripe: with keys configured, the webhook
    # path would ask Stripe for each one's fee. It is told Stripe is off while seeding.
    quiet, key = _QuietFees(), current_app.config.get("STRIPE_SECRET_KEY")
    current_app.logger.addFilter(quiet)
    current_app.config["STRIPE_SECRET_KEY"] = ""
    try:
        history.run()
        history.fresh()
    finally:
        current_app.config["STRIPE_SECRET_KEY"] = key
        current_app.logger.removeFilter(quiet)
    stored = store_stripe_history(history.stripe_moves, now)
    history.result.stripe_payouts = stored.payouts_new
    history.result.files = history.write_files(statements_dir)
    history.result.statuses = Counter(db.session.scalars(select(Order.status)))
    return history.result
