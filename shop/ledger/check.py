"""The ledger's oracle: does the money add up? Grouped queries, no per-order loops."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import String, case, cast, func, literal, select

from shop.extensions import db
from shop.ledger.models import Account, JournalEntry, Posting
from shop.ledger.services import FACILITY_ACCOUNTS
from shop.orders.models import PAID_ORDER_STATUSES, FacilityOrder, Order
from shop.payments.models import PaymentTransaction
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.settlements.models import Settlement, SettlementItem

SETTLEMENT_PAID = "settlement_paid"

# The shop's money: in the bank, at Stripe, or on its way from Stripe to the bank.
CASH = ("bank", "stripe", "stripe_payouts_in_transit")
SIGNED = {"capture": 1, "refund": -1, "fee": -1, "dispute": -1, "dispute_reversal": 1}


def problems() -> list[str]:
    """Every difference found, each naming what it is about; empty when all adds up."""
    found: list[str] = []
    total = db.session.scalar(select(func.coalesce(func.sum(Posting.amount), 0)))
    if total:
        found.append(f"trial balance is {total}, not 0")
    unbalanced = db.session.execute(
        select(JournalEntry.id, JournalEntry.kind, func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id, JournalEntry.kind)
        .having(func.sum(Posting.amount) != 0)
    ).all()
    found += [f"entry {eid} ({kind}) does not balance: {diff}" for eid, kind, diff in unbalanced]
    found += _cash_per_order()
    found += _facility_payables()
    found += _settled_payables()
    found += _paid_settlements()
    found += _stripe_payouts()
    found += _stripe_charges()
    return found


def _numbers(order_ids) -> dict[int, str]:
    ids = [i for i in order_ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Order.id, Order.number).where(Order.id.in_(ids))).all())


def _cash_per_order() -> list[str]:
    """Each order's money in the bank and at Stripe equals its payment rows (paying a
    settlement is no order's money: see :func:`_paid_settlements`)."""
    signed = case(
        *(
            (PaymentTransaction.kind == kind, PaymentTransaction.amount * sign)
            for kind, sign in SIGNED.items()
        )
    )
    record = dict(
        db.session.execute(
            select(PaymentTransaction.order_id, func.sum(signed)).group_by(
                PaymentTransaction.order_id
            )
        ).all()
    )
    ledger = dict(
        db.session.execute(
            select(JournalEntry.order_id, func.sum(Posting.amount))
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.code.in_(CASH), JournalEntry.kind != SETTLEMENT_PAID)
            .group_by(JournalEntry.order_id)
        ).all()
    )
    differ = {
        order_id
        for order_id in set(record) | set(ledger)
        if int(record.get(order_id) or 0) != int(ledger.get(order_id) or 0)
    }
    numbers = _numbers(differ)
    return [
        f"order {numbers.get(oid, oid)}: payments say {int(record.get(oid) or 0)}, "
        f"ledger cash says {int(ledger.get(oid) or 0)}"
        for oid in sorted(differ, key=lambda i: (i is None, i or 0))
    ]


def _facility_payables() -> list[str]:
    """What each paid part's facility is owed equals the shares copied onto the part, less
    what was moved from it to refunds; no unpaid part holds anything. (Paying a settlement
    takes from the facility as a whole, not from a part: checked by
    :func:`_settled_payables`.)"""
    copied = (
        FacilityOrder.material_cost
        + FacilityOrder.premi
        + FacilityOrder.pnbp
        + FacilityOrder.capital
        + FacilityOrder.shipping_fee
    )
    expected = dict(
        db.session.execute(
            select(FacilityOrder.id, copied)
            .join(Order, Order.id == FacilityOrder.order_id)
            .where(Order.status.in_(PAID_ORDER_STATUSES), FacilityOrder.premi.is_not(None))
        ).all()
    )
    held: dict[int, int] = defaultdict(int)
    moved: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        select(Posting.facility_order_id, JournalEntry.kind, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.code.in_(FACILITY_ACCOUNTS), JournalEntry.kind != SETTLEMENT_PAID)
        .group_by(Posting.facility_order_id, JournalEntry.kind)
    ).all()
    for part_id, kind, amount in rows:
        held[part_id] -= int(amount)
        if kind != "payment_received":
            moved[part_id] += int(amount)
    found = []
    for part_id in sorted(set(expected) | set(held), key=lambda i: (i is None, i or 0)):
        want = int(expected.get(part_id) or 0) - moved.get(part_id, 0)
        if held.get(part_id, 0) != want or held.get(part_id, 0) < 0:
            found.append(
                f"part {part_id}: facility is owed {held.get(part_id, 0)} in the ledger, "
                f"{want} by its copied shares"
            )
    return found


def _settled_payables() -> list[str]:
    """Each facility's payable (its ``fac_*`` balance) equals its unsettled shares (the
    postings no settlement holds) plus the shares held by settlements not paid yet."""
    balance = dict(
        db.session.execute(
            select(Account.facility_id, func.sum(Posting.amount))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.code.in_(FACILITY_ACCOUNTS))
            .group_by(Account.facility_id)
        ).all()
    )
    owed = dict(
        db.session.execute(
            select(Account.facility_id, func.sum(Posting.amount))
            .join(Account, Account.id == Posting.account_id)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .outerjoin(SettlementItem, SettlementItem.posting_id == Posting.id)
            .outerjoin(Settlement, Settlement.id == SettlementItem.settlement_id)
            .where(
                Account.code.in_(FACILITY_ACCOUNTS),
                JournalEntry.kind != SETTLEMENT_PAID,
                (SettlementItem.id.is_(None)) | (Settlement.state != "paid"),
            )
            .group_by(Account.facility_id)
        ).all()
    )
    found = []
    for facility_id in sorted(set(balance) | set(owed)):
        held, want = -int(balance.get(facility_id) or 0), -int(owed.get(facility_id) or 0)
        if held != want:
            found.append(
                f"facility {facility_id}: payable is {held} in the ledger, "
                f"{want} by its unsettled and unpaid shares"
            )
    return found


def _paid_settlements() -> list[str]:
    """A paid settlement's entry debits each account by what it settled there and takes
    its amount from the bank; an unpaid
    one has no entry; a settlement's totals add up to its items."""
    items = defaultdict(int)
    for sid, code, total in db.session.execute(
        select(
            SettlementItem.settlement_id, SettlementItem.code, func.sum(SettlementItem.amount)
        ).group_by(SettlementItem.settlement_id, SettlementItem.code)
    ).all():
        items[(sid, code)] += int(total)
    entries = defaultdict(int)
    for source_id, code, total in db.session.execute(
        select(JournalEntry.source_id, Account.code, func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(JournalEntry.kind == SETTLEMENT_PAID, Account.code.in_((*FACILITY_ACCOUNTS, "bank")))
        .group_by(JournalEntry.source_id, Account.code)
    ).all():
        entries[(int(source_id), code)] += int(total)
    posted = {
        int(source_id)
        for source_id in db.session.scalars(
            select(JournalEntry.source_id).where(JournalEntry.kind == SETTLEMENT_PAID)
        )
    }
    found = []
    for sid, state, amount in db.session.execute(
        select(Settlement.id, Settlement.state, Settlement.amount).order_by(Settlement.id)
    ).all():
        settled = sum(items[(sid, code)] for code in FACILITY_ACCOUNTS)
        if -settled != amount:
            found.append(f"settlement {sid}: amount {amount}, its items add up to {-settled}")
        if state != "paid":
            if sid in posted:
                found.append(f"settlement {sid} is {state} but has a payment entry")
            continue
        if sid not in posted:
            found.append(f"settlement {sid} is paid but has no payment entry")
            continue
        if entries[(sid, "bank")] != -amount:
            found.append(f"settlement {sid}: {-entries[(sid, 'bank')]} left the bank, not {amount}")
        for code in FACILITY_ACCOUNTS:
            if entries[(sid, code)] != -items[(sid, code)]:
                found.append(
                    f"settlement {sid}: paid {entries[(sid, code)]} on {code}, "
                    f"settled {-items[(sid, code)]}"
                )
    for sid in sorted(posted - set(db.session.scalars(select(Settlement.id)))):
        found.append(f"payment entry of settlement {sid}, which does not exist")
    return found


def _stripe_payouts() -> list[str]:
    """Each synced payout left the Stripe balance once, for its amount, and reached the
    bank (or came back) as Stripe says."""
    moved = {
        (source_id, kind): -int(total)
        for source_id, kind, total in db.session.execute(
            select(JournalEntry.source_id, JournalEntry.kind, func.sum(Posting.amount))
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .join(Account, Account.id == Posting.account_id)
            .where(
                JournalEntry.source_type == "stripe_payout",
                Account.code == "stripe_payouts_in_transit",
            )
            .group_by(JournalEntry.source_id, JournalEntry.kind)
        ).all()
    }
    found = []
    for payout_id, amount, status in db.session.execute(
        select(StripePayout.payout_id, StripePayout.amount, StripePayout.status)
    ).all():
        sent = -moved.get((payout_id, "payout_sent"), 0)
        landed = moved.get((payout_id, "payout_paid"), 0)
        back = moved.get((payout_id, "payout_returned"), 0)
        want = (amount, amount if status == "paid" else 0)
        want_back = amount if status in ("failed", "canceled") else 0
        if (sent, landed) != want or back != want_back:
            found.append(
                f"payout {payout_id} ({status}, {amount}): ledger sent {sent}, "
                f"paid {landed}, returned {back}"
            )
    posted = {source_id for source_id, _kind in moved}
    synced = set(db.session.scalars(select(StripePayout.payout_id)))
    found += [f"payout {pid}: in the ledger but not synced" for pid in sorted(posted - synced)]
    return found


def _stripe_charges() -> list[str]:
    """Where Stripe's balance transactions and our record both know a charge or refund,
    they agree: each charge's fee is posted once, for Stripe's fee; each payment's charges
    net at Stripe what its capture and fee rows net in the ledger; each refund of ours is
    the amount Stripe took out."""
    txn = StripeBalanceTransaction
    found = []
    fees = db.session.execute(
        select(txn.source_id, txn.fee, PaymentTransaction.amount)
        .outerjoin(
            PaymentTransaction,
            PaymentTransaction.reference == literal("fee:") + txn.source_id,
        )
        .where(txn.type.in_(("charge", "payment")), txn.payment_id.is_not(None), txn.fee > 0)
    ).all()
    found += [
        f"charge {charge}: Stripe's fee {fee}, fee recorded {recorded or 0}"
        for charge, fee, recorded in fees
        if recorded != fee
    ]
    at_stripe = dict(
        db.session.execute(
            select(txn.payment_id, func.sum(txn.net))
            .where(txn.type.in_(("charge", "payment")), txn.payment_id.is_not(None))
            .group_by(txn.payment_id)
        ).all()
    )
    in_ledger = dict(
        db.session.execute(
            select(PaymentTransaction.payment_id, func.sum(Posting.amount))
            .join(
                JournalEntry,
                (JournalEntry.source_type == "payment_transaction")
                & (JournalEntry.source_id == cast(PaymentTransaction.id, String)),
            )
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .join(Account, Account.id == Posting.account_id)
            .where(
                Account.code == "stripe",
                PaymentTransaction.kind.in_(("capture", "fee")),
                PaymentTransaction.payment_id.in_(list(at_stripe) or [-1]),
            )
            .group_by(PaymentTransaction.payment_id)
        ).all()
    )
    captured = set(
        db.session.scalars(
            select(PaymentTransaction.payment_id).where(
                PaymentTransaction.kind == "capture",
                PaymentTransaction.payment_id.in_(list(at_stripe) or [-1]),
            )
        )
    )
    found += [
        f"payment {pid}: its charges net {int(net)} at Stripe, "
        f"{int(in_ledger.get(pid) or 0)} in the ledger"
        for pid, net in sorted(at_stripe.items())
        if pid in captured and int(net) != int(in_ledger.get(pid) or 0)
    ]
    refunds = db.session.execute(
        select(txn.source_id, txn.amount, PaymentTransaction.amount).join(
            PaymentTransaction,
            (PaymentTransaction.reference == txn.source_id) & (PaymentTransaction.kind == "refund"),
        )
    ).all()
    found += [
        f"refund {refund}: Stripe took {-int(amount)}, we recorded {recorded}"
        for refund, amount, recorded in refunds
        if -int(amount) != recorded
    ]
    return found
