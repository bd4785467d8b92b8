"""Quote and place an order: prices from the database, stock allocated all-or-nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Select, exists, insert, or_, select
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.models import Facility
from shop.inventory import services as inventory
from shop.inventory.models import StockAllocation
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order, OrderLine
from shop.orders.numbers import candidate_number, new_order_number, new_public_token
from shop.shipping.services import courier_rates, fee_for
from shop.sqltypes import utcnow

MAX_LINE_QUANTITY = 99


class CheckoutProblem(Exception):
    """The cart cannot be bought as it is; ``problems`` are (product id, reason code)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(", ".join(f"{pid}:{code}" for pid, code in problems))
        self.problems = problems


class PriceChanged(Exception):
    """The total differs from the one the buyer confirmed on the summary page (``actual``
    None: a product changed while the order was being placed; not recomputed)."""

    def __init__(self, expected: int, actual: int | None) -> None:
        super().__init__(f"expected {expected}, now {actual}")
        self.expected, self.actual = expected, actual


@dataclass(frozen=True)
class BuyerDetails:
    name: str
    email: str
    phone: str
    street: str
    province: str
    city: str
    district: str
    postal_code: str
    note: str = ""


@dataclass
class QuoteLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


@dataclass
class QuotePart:
    facility: Facility
    lines: list[QuoteLine] = field(default_factory=list)
    zone: int = 0
    shipping_fee: int = 0

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.product.weight_grams * line.quantity for line in self.lines)


@dataclass
class Quote:
    parts: list[QuotePart]
    courier: str
    province: str

    @property
    def subtotal(self) -> int:
        return sum(part.subtotal for part in self.parts)

    @property
    def shipping_total(self) -> int:
        return sum(part.shipping_fee for part in self.parts)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_total


def build_quote(items: Mapping[int, int], province: str, courier: str) -> Quote:
    """Lines grouped per facility with shipping; raises :class:`CheckoutProblem`.

    Only product ids and quantities come from the buyer; everything else is read here,
    without locking (placing the order checks it again under lock: :func:`hold_quoted`).
    """
    products = db.session.execute(_products_query(items)).scalars()
    return _quote(items, {p.id: p for p in products}, province, courier)


def _products_query(items: Mapping[int, int], *columns) -> Select:
    return (
        select(Product, *columns)
        .where(Product.id.in_(list(items)))
        .options(joinedload(Product.facility))
        .order_by(Product.id)
        .execution_options(populate_existing=True)  # stock may have just been freed
    )


def _quote(
    items: Mapping[int, int], products: Mapping[int, Product], province: str, courier: str
) -> Quote:
    if not items:
        raise CheckoutProblem([(0, "empty")])
    problems: list[tuple[int, str]] = []
    parts: dict[int, QuotePart] = {}
    for product_id, quantity in sorted(items.items()):
        product = products.get(product_id)
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_LINE_QUANTITY:
            problems.append((product_id, "bad_quantity"))
        elif product is None or not product.for_sale:
            problems.append((product_id, "unavailable"))
        elif product.available < quantity:
            problems.append((product_id, "sold_out"))
        elif product.one_of_a_kind and quantity > 1:
            problems.append((product_id, "one_of_a_kind"))
        else:
            part = parts.setdefault(product.facility_id, QuotePart(product.facility))
            part.lines.append(QuoteLine(product, quantity))
    if problems:
        raise CheckoutProblem(problems)
    ordered = sorted(parts.values(), key=lambda part: part.facility.name)
    rates = courier_rates(courier)
    for part in ordered:
        part.zone, part.shipping_fee = fee_for(
            courier, part.facility.province, province, part.weight_grams, rates
        )
    return Quote(ordered, courier, province)


# What a quote read of each product that the order's money depends on.
QUOTED = (
    Product.price,
    Product.weight_grams,
    Product.facility_id,
    Product.material_cost,
    Product.one_of_a_kind,
)


def hold_quoted(quote: Quote) -> None:
    """Hold the quoted stock and check that what the unlocked quote read still holds, in
    one statement: the guarded stock UPDATE locks the product rows in id order and returns
    the quoted columns (:func:`~shop.inventory.services.hold_stock`).

    Raises :class:`PriceChanged` if a price, weight, facility or cost changed meanwhile,
    :class:`CheckoutProblem` if a product left the shop, ``OutOfStock`` if one sold out
    (the caller rolls back what was held)."""
    lines = {line.product.id: line for part in quote.parts for line in part.lines}
    wanted = {pid: line.quantity for pid, line in lines.items()}
    names = {pid: line.product.name for pid, line in lines.items()}
    try:
        held = inventory.hold_stock(wanted, names, read=QUOTED)
    except inventory.OutOfStock:
        _refuse_withdrawn(list(wanted))
        raise
    for product_id, row in held.items():
        product = lines[product_id].product
        if tuple(row[1:]) != tuple(getattr(product, col.key) for col in QUOTED):
            raise PriceChanged(quote.total, None)


def _refuse_withdrawn(product_ids: list[int]) -> None:
    """:class:`CheckoutProblem` if any of these products is no longer for sale (the stock
    UPDATE held none of it: sold out or withdrawn, this tells which)."""
    gone = db.session.scalars(
        select(Product.id)
        .where(
            Product.id.in_(product_ids),
            or_(Product.status != "active", Product.hidden_at.is_not(None)),
        )
        .order_by(Product.id)
    ).all()
    if gone:
        raise CheckoutProblem([(pid, "unavailable") for pid in gone])


class _FirstRead(NamedTuple):
    products: dict[int, Product]
    existing: Order | None  # the order placed before with this idempotency key
    overdue: bool  # an overdue unpaid order still holds some of these products
    number_taken: bool  # the drawn order number is used already


def _read_before_writing(
    items: Mapping[int, int], idempotency_key: str, number: str, now: datetime
) -> _FirstRead:
    """Everything placing an order reads before it writes, in one statement: the quote's
    products (unlocked) and, on each row, whether an order with this idempotency key
    exists, whether an overdue order holds the product and whether ``number`` is taken."""
    existing = select(Order.id).where(Order.idempotency_key == idempotency_key)
    overdue = exists().where(
        StockAllocation.product_id == Product.id,
        StockAllocation.status == "live",
        StockAllocation.expires_at <= now,
    )
    query = _products_query(
        items,
        existing.scalar_subquery().label("existing_id"),
        exists().where(Order.number == number).label("number_taken"),
        overdue.label("overdue"),
    )
    rows = db.session.execute(query).all()
    if not rows:  # no such product: the quote refuses the cart, unless it was ordered
        return _FirstRead({}, find_by_idempotency_key(idempotency_key), False, True)
    first = rows[0]
    return _FirstRead(
        {row.Product.id: row.Product for row in rows},
        db.session.get(Order, first.existing_id) if first.existing_id else None,
        any(row.overdue for row in rows),
        bool(first.number_taken),
    )


def find_by_idempotency_key(key: str) -> Order | None:
    return db.session.execute(
        select(Order).where(Order.idempotency_key == key)
    ).scalar_one_or_none()


def place_order(
    items: Mapping[int, int],
    buyer: BuyerDetails,
    courier: str,
    idempotency_key: str,
    locale: str = "id",
    expected_total: int | None = None,
    now: datetime | None = None,
    actor: str = "buyer",
    payment_method: str = "bank_transfer",
) -> tuple[Order, bool]:
    """Create the order and hold its stock; returns (order, created).

    Call inside a write transaction (:func:`shop.uow.begin_write`) and
    commit after; on :class:`~shop.inventory.services.OutOfStock`, ``CheckoutProblem``
    or ``PriceChanged`` roll back (some lines may already be allocated in it). The same
    ``idempotency_key`` twice gives back the first order (``created`` False); a concurrent
    twin is refused by the unique key at flush (``IntegrityError``: roll back and look
    the key up). ``payment_method="card"``: a card deadline, no transfer code, no email
    yet (the Stripe Checkout Session is opened after commit, see
    :mod:`shop.payments.stripe.checkout`).

    One commit per order: one statement reads (:func:`_read_before_writing`), then
    everything is written (the e-mail rendered from memory, no query) before the product
    rows are locked by the stock UPDATE, so they stay locked for one more statement and
    the commit (:func:`hold_quoted`).
    """
    from shop.orders.emails import queue_rendered_order_email
    from shop.payments.bank_transfer import draw_amount, open_bank_transfer

    now = now or utcnow()
    number = candidate_number(now)
    first = _read_before_writing(items, idempotency_key, number, now)
    if first.existing is not None:
        return first.existing, False
    if first.overdue:  # free what overdue orders hold, then read the products again
        orders.expire_overdue_holding(items.keys(), now)
        quote = build_quote(items, buyer.province, courier)
    else:
        quote = _quote(items, first.products, buyer.province, courier)
    if first.number_taken:
        number = new_order_number(now)
    if expected_total is not None and expected_total != quote.total:
        raise PriceChanged(expected_total, quote.total)
    if payment_method not in ("bank_transfer", "card"):
        raise ValueError(f"unknown payment method {payment_method!r}")
    deadline = now + timedelta(hours=current_app.config.get("PAYMENT_DEADLINE_HOURS", 24))
    amount_due = quote.total
    if payment_method == "card":
        from shop.payments.stripe.checkout import card_deadline

        deadline = card_deadline(now)
    else:
        amount_due = draw_amount(quote.total)

    order = Order(
        number=number,
        public_token=new_public_token(),
        idempotency_key=idempotency_key,
        status="awaiting_payment",
        locale=locale,
        name=buyer.name,
        email=buyer.email,
        phone=buyer.phone,
        street=buyer.street,
        province=buyer.province,
        city=buyer.city,
        district=buyer.district,
        postal_code=buyer.postal_code,
        note=buyer.note,
        courier=courier,
        payment_method=payment_method,
        subtotal=quote.subtotal,
        shipping_total=quote.shipping_total,
        total=quote.total,
        amount_due=amount_due,
        unique_code=amount_due - quote.total if payment_method == "bank_transfer" else None,
        payment_deadline=deadline,
        placed_at=now,
    )
    db.session.add(order)
    db.session.flush()  # a concurrent double submit fails here, before any stock is touched
    if payment_method == "bank_transfer":
        payment = open_bank_transfer(order.id, order.total, amount=amount_due)
        if payment.amount != amount_due:  # a concurrent buyer took the amount meanwhile
            order.unique_code = payment.amount - order.total
            order.amount_due = payment.amount

    part_ids = _insert_parts(order.id, courier, quote.parts)
    _insert_lines(order.id, quote.parts, part_ids)
    orders.record_creation(order, part_ids, actor, now)
    if payment_method == "bank_transfer":
        queue_rendered_order_email("order_received", _mail_view(order, quote))
    hold_quoted(quote)
    inventory.allocate_order_lines(order.id, deadline)
    return order, True


def _insert_parts(order_id: int, courier: str, parts: list[QuotePart]) -> list[int]:
    """One INSERT … RETURNING for every facility's part (one part per facility), then
    their ids in the quote's order."""
    rows = db.session.execute(
        insert(FacilityOrder).returning(FacilityOrder.facility_id, FacilityOrder.id),
        [
            {
                "order_id": order_id,
                "facility_id": part.facility.id,
                "status": "pending",
                "courier": courier,
                "zone": part.zone,
                "weight_grams": part.weight_grams,
                "subtotal": part.subtotal,
                "shipping_fee": part.shipping_fee,
            }
            for part in parts
        ],
    )
    ids = {facility_id: part_id for facility_id, part_id in rows}
    return [ids[part.facility.id] for part in parts]


def _insert_lines(order_id: int, parts: list[QuotePart], part_ids: list[int]) -> None:
    db.session.execute(
        insert(OrderLine),
        [
            {
                "order_id": order_id,
                "facility_order_id": part_id,
                "product_id": line.product.id,
                "product_name": line.product.name,
                "sku": line.product.sku,
                "unit_price": line.product.price,
                "material_cost": line.product.material_cost,
                "quantity": line.quantity,
                "line_total": line.line_total,
                "weight_grams": line.product.weight_grams,
            }
            for part, part_id in zip(parts, part_ids, strict=True)
            for line in part.lines
        ],
    )


def _mail_view(order: Order, quote: Quote):
    """The new order as its e-mail reads it, from what is in memory (no query)."""
    from shop.orders.emails import MailFacility, MailLine, MailOrder, MailPart

    return MailOrder(
        id=order.id,
        number=order.number,
        public_token=order.public_token,
        locale=order.locale,
        name=order.name,
        email=order.email,
        payment_deadline=order.payment_deadline,
        total=order.total,
        amount_due=order.amount_due,
        unique_code=order.unique_code,
        parts=[
            MailPart(
                MailFacility(part.facility.name),
                quote.courier,
                part.shipping_fee,
                [MailLine(ln.product.name, ln.quantity, ln.line_total) for ln in part.lines],
            )
            for part in quote.parts
        ],
    )
