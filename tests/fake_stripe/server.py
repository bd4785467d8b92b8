"""A small fake of the Stripe API, served over real HTTP on 127.0.0.1.

It answers the endpoints the shop calls, validating parameters the way Stripe does
(form encoding, required fields, integer amounts, currencies, ``expires_at`` window,
idempotency keys, the bearer key) and answering errors in Stripe's JSON error shape,
so the real ``stripe`` library is exercised end to end. It also serves a hosted
"checkout page" (``GET /pay/<session id>``) whose Pay button completes the session,
posts a signed ``checkout.session.completed`` webhook to ``webhook_url`` and redirects
the browser to the session's ``success_url``.

Test controls: :meth:`down` / :meth:`up` (connection refused), ``delay`` (the server
answers API calls only after that many seconds: slower than the client's timeout),
``fail_after`` (a 500 to every API request after that many),
``requests`` (every API request received), ``hold_webhooks`` (queue instead of post),
and helpers that make Stripe-side things happen (:meth:`complete`, :meth:`expire_now`,
:meth:`async_result`, :meth:`dispute`) returning the event Stripe would send.

Balance and payouts: every charge, refund and payout moves the balance through a
balance transaction (``GET /v1/balance_transactions``, paged newest first, filtered by
``payout``, ``type``, ``created``); :meth:`create_payout` pays out the available balance
(``GET /v1/payouts``), :meth:`settle_payout` lands or bounces it,
:meth:`charge_without_order` and :meth:`refund_in_dashboard` make money move outside the
shop's own checkout and refunds; :meth:`dispute` takes the disputed amount out of the
balance with an ``adjustment`` (reporting category ``dispute``) whose source is the dispute.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

from .forms import FormError, decode

API_VERSION = "2025-09-30.clover"
SUPPORTED_CURRENCIES = frozenset(
    {"idr", "usd", "eur", "sgd", "myr", "aud", "gbp", "jpy", "thb", "php", "vnd", "krw"}
)
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 60 * 60
_INT_RE = re.compile(r"^-?\d+$")
PAYOUT_STATUSES = ("paid", "pending", "in_transit", "canceled", "failed")
REPORTING_CATEGORIES = {
    "charge": "charge",
    "refund": "refund",
    "payout": "payout",
    "payout_failure": "payout_reversal",
    "adjustment": "dispute",
}


class ApiError(Exception):
    """An error answered in Stripe's shape: ``{"error": {type, code, message, param}}``."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",  # noqa: A002 - Stripe's field name
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message}}
        if code:
            self.body["error"]["code"] = code
        if param:
            self.body["error"]["param"] = param


def _missing(param: str) -> ApiError:
    return ApiError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def _integer(params: dict, key: str, label: str, *, minimum: int | None = None) -> int:
    raw = params.get(key)
    if not isinstance(raw, str) or not _INT_RE.match(raw):
        raise ApiError(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=label)
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ApiError(
            f"Invalid {label}: must be greater than or equal to {minimum}",
            code="parameter_invalid_integer",
            param=label,
        )
    return value


def _metadata(params: dict, key: str) -> dict:
    value = params.get(key, {})
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise ApiError("Invalid object", code="parameter_invalid_object", param=key)
    if len(value) > 50:
        raise ApiError("Metadata can have at most 50 keys.", param=key)
    for k, v in value.items():
        if len(k) > 40 or not isinstance(v, str) or len(v) > 500:
            raise ApiError(f"Invalid metadata entry {k!r}.", param=f"{key}[{k}]")
    return dict(value)


def _url(params: dict, key: str) -> str:
    value = params.get(key)
    if not value:
        raise _missing(key)
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ApiError("Not a valid URL", code="url_invalid", param=key)
    return value


def _range(params: dict, key: str):
    """A ``created`` filter: an exact timestamp or ``[gt|gte|lt|lte]`` bounds."""
    value = params.get(key)
    if value is None:
        return lambda _stamp: True
    if isinstance(value, str):
        exact = _integer(params, key, key)
        return lambda stamp: stamp == exact
    if not isinstance(value, dict) or not value:
        raise ApiError("Invalid object", code="parameter_invalid_object", param=key)
    tests = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
    bounds = []
    for op in value:
        if op not in tests:
            raise ApiError(f"Received unknown parameter: {key}[{op}]", param=f"{key}[{op}]")
        bounds.append((tests[op], _integer(value, op, f"{key}[{op}]")))
    return lambda stamp: all(test(stamp, bound) for test, bound in bounds)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict
    idempotency_key: str | None = None
    query: dict = field(default_factory=dict)


class FakeStripe:
    def __init__(
        self,
        api_key: str = "sk_test_fake_karyabinaan",
        webhook_secret: str = "whsec_fake_karyabinaan",
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url: str | None = None
        self.delay = 0.0
        # Answer a 500 ``api_error`` to API requests from this many on (a Stripe outage
        # half-way through a run of calls); None: answer normally.
        self.fail_after: int | None = None
        self.hold_webhooks = False
        self.requests: list[RecordedRequest] = []
        self.events: list[dict] = []
        self.held: list[dict] = []
        self.deliveries: list[tuple[str, int]] = []
        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.balance_transactions: dict[str, dict] = {}
        self.disputes: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.payouts: dict[str, dict] = {}
        self._idempotency: dict[str, tuple[str, int, dict]] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._connections: set = set()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeStripe:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes "slow" handlers, which then drop their request
        self._server.shutdown()
        self._server.server_close()
        with self._lock:  # kept-alive connections too: "down" means nothing answers
            for connection in list(self._connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()
        self._thread.join(timeout=10)
        self._server = None

    def down(self) -> None:
        """Stop listening: clients get "connection refused" until :meth:`up`."""
        self.stop()

    def up(self) -> None:
        self.start()

    # -- assertions helpers --------------------------------------------------------

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def wait_for(self, predicate, timeout: float = 10) -> bool:
        """Block until ``predicate()`` holds (checked after every API request handled)."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def events_of(self, event_type: str) -> list[dict]:
        return [e for e in self.events if e["type"] == event_type]

    # -- webhooks ------------------------------------------------------------------

    def event(self, event_type: str, obj: dict) -> dict:
        """Build (and remember) the event Stripe would send about ``obj``."""
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(_public(obj)))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        with self._lock:
            self.events.append(event)
        return event

    def signed(
        self, event: dict, *, timestamp: int | None = None, secret: str | None = None
    ) -> tuple[str, dict]:
        """The body (pretty-printed, as Stripe sends it) and headers of a delivery."""
        body = json.dumps(event, indent=2)
        header = stripe.WebhookSignature.generate_signature_header(
            body, secret or self.webhook_secret, timestamp=timestamp
        )
        return body, {"Content-Type": "application/json", "Stripe-Signature": header}

    def deliver(self, event: dict, url: str | None = None) -> int:
        """POST ``event`` signed to the webhook URL, as Stripe would; returns the status."""
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("FakeStripe.webhook_url is not set")
        body, headers = self.signed(event)
        request = urllib.request.Request(  # noqa: S310 - http to 127.0.0.1
            target, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        self.deliveries.append((event["id"], status))
        return status

    def deliver_held(self) -> list[int]:
        held, self.held = self.held, []
        return [self.deliver(event) for event in held]

    # -- things that happen on Stripe's side ------------------------------------------

    def complete(self, session_id: str, *, paid: bool = True) -> dict:
        """The buyer pays on the hosted page; returns ``checkout.session.completed``.

        ``paid=False`` models a delayed payment method (``payment_status="unpaid"``),
        settled later by :meth:`async_result`.
        """
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            pi = self._create_payment(session, succeeded=paid)
            session.update(status="complete", payment_intent=pi["id"])
            session["payment_status"] = "paid" if paid else "unpaid"
            return self.event("checkout.session.completed", session)

    def async_result(self, session_id: str, *, succeeded: bool) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            pi = self.payment_intents[session["payment_intent"]]
            if succeeded:
                self._succeed(pi)
                session["payment_status"] = "paid"
                return self.event("checkout.session.async_payment_succeeded", session)
            pi["status"] = "requires_payment_method"
            return self.event("checkout.session.async_payment_failed", session)

    def expire_now(self, session_id: str) -> dict:
        """The session reaches its ``expires_at`` unpaid; returns ``checkout.session.expired``."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            session["status"] = "expired"
            return self.event("checkout.session.expired", session)

    def dispute(self, payment_intent_id: str, *, reason: str = "fraudulent") -> dict:
        with self._lock:
            pi = self.payment_intents[payment_intent_id]
            charge = self.charges[pi["latest_charge"]]
            dispute = {
                "id": _new_id("dp"),
                "object": "dispute",
                "amount": charge["amount"],
                "currency": charge["currency"],
                "charge": charge["id"],
                "payment_intent": pi["id"],
                "reason": reason,
                "status": "needs_response",
                "created": int(time.time()),
            }
            charge["disputed"] = True
            # Stripe takes the disputed amount out of the balance at once.
            txn = self._balance_transaction("adjustment", -charge["amount"], "idr", dispute["id"])
            dispute["balance_transactions"] = [txn["id"]]
            self.disputes[dispute["id"]] = dispute
            return self.event("charge.dispute.created", dispute)

    def _create_payment(self, session: dict, *, succeeded: bool) -> dict:
        pi = {
            "id": _new_id("pi"),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": 0,
            "currency": session["currency"],
            "status": "processing",
            "metadata": dict(session["_payment_intent_metadata"]),
            "latest_charge": None,
            "created": int(time.time()),
        }
        self.payment_intents[pi["id"]] = pi
        if succeeded:
            self._succeed(pi)
        return pi

    def _succeed(self, pi: dict) -> None:
        amount = pi["amount"]
        fee = (amount * 29 // 1000) // 100 * 100 + 200_000  # 2.9% + Rp 2.000, whole rupiah
        charge_id = _new_id("ch")
        txn = self._balance_transaction("charge", amount, pi["currency"], charge_id, fee=fee)
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "currency": pi["currency"],
            "paid": True,
            "refunded": False,
            "disputed": False,
            "status": "succeeded",
            "payment_intent": pi["id"],
            "balance_transaction": txn["id"],
            "metadata": dict(pi["metadata"]),
            "created": int(time.time()),
        }
        self.charges[charge["id"]] = charge
        pi.update(status="succeeded", amount_received=amount, latest_charge=charge["id"])

    def _balance_transaction(
        self, type_: str, amount: int, currency: str, source: str, *, fee: int = 0
    ) -> dict:
        """A movement of the Stripe balance (available at once in this fake)."""
        now = int(time.time())
        txn = {
            "id": _new_id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": now,
            "created": now,
            "currency": currency,
            "description": None,
            "fee": fee,
            "net": amount - fee,
            "reporting_category": REPORTING_CATEGORIES[type_],
            "source": source,
            "status": "available",
            "type": type_,
            "_payout": None,
        }
        self.balance_transactions[txn["id"]] = txn
        return txn

    def charge_without_order(self, amount: int, currency: str = "idr") -> dict:
        """A card charge made outside our checkout (a payment link, the dashboard): its
        PaymentIntent carries none of our metadata. ``amount`` in Stripe's hundredths."""
        with self._lock:
            pi = {
                "id": _new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": 0,
                "currency": currency,
                "status": "processing",
                "metadata": {},
                "latest_charge": None,
                "created": int(time.time()),
            }
            self.payment_intents[pi["id"]] = pi
            self._succeed(pi)
            return self.charges[pi["latest_charge"]]

    def refund_in_dashboard(self, payment_intent_id: str, amount: int | None = None) -> dict:
        """Someone refunds in Stripe's dashboard (not through the shop); returns the refund."""
        params = {"payment_intent": payment_intent_id}
        if amount is not None:
            params["amount"] = str(amount)
        with self._lock:
            return self._create_refund(params)

    def create_payout(self, *, amount: int | None = None, status: str = "paid") -> dict:
        """Pay out the available balance: every balance transaction not yet in a payout.

        ``amount`` (hundredths) defaults to their net sum; another amount makes a payout
        that does not add up (which Stripe would not do: a test of our check).
        """
        if status not in PAYOUT_STATUSES:
            raise ValueError(f"payout status {status!r}")
        with self._lock:
            included = [
                t
                for t in self.balance_transactions.values()
                if t["_payout"] is None and t["type"] not in ("payout", "payout_failure")
            ]
            total = sum(t["net"] for t in included)
            amount = total if amount is None else amount
            if amount <= 0:
                raise ValueError("nothing available to pay out")
            payout_id = _new_id("po")
            txn = self._balance_transaction("payout", -amount, "idr", payout_id)
            now = int(time.time())
            payout = {
                "id": payout_id,
                "object": "payout",
                "amount": amount,
                "arrival_date": now + 2 * 24 * 3600 if status != "paid" else now,
                "automatic": True,
                "balance_transaction": txn["id"],
                "created": now,
                "currency": "idr",
                "description": "STRIPE PAYOUT",
                "failure_code": None,
                "method": "standard",
                "status": status,
                "type": "bank_account",
            }
            for t in [*included, txn]:
                t["_payout"] = payout_id
            self.payouts[payout_id] = payout
            return payout

    def settle_payout(self, payout_id: str, status: str) -> dict:
        """A payout reaches the bank (``paid``) or bounces (``failed``: money back)."""
        with self._lock:
            payout = self.payouts[payout_id]
            payout["status"] = status
            if status == "failed":
                payout["failure_code"] = "account_closed"
                self._balance_transaction("payout_failure", payout["amount"], "idr", payout_id)
            return payout

    # -- API -----------------------------------------------------------------------

    def api(self, method: str, path: str, params: dict, query: dict) -> dict:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        if method == "POST" and parts == ["checkout", "sessions"]:
            return self._create_session(params)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["checkout", "sessions"]:
            return self._session(parts[2])
        if method == "POST" and len(parts) == 4 and parts[3] == "expire":
            return self._expire_session(parts[2])
        if method == "POST" and parts == ["refunds"]:
            return self._create_refund(params)
        if method == "GET" and len(parts) == 2 and parts[0] == "payment_intents":
            return self._payment_intent(parts[1], query.get("expand") or [])
        if method == "GET" and parts == ["balance_transactions"]:
            return self._list_balance_transactions(query)
        if method == "GET" and parts == ["payouts"]:
            return self._list_payouts(query)
        if method == "GET" and parts == ["refunds"]:
            return self._list_refunds(query)
        raise ApiError(f"Unrecognized request URL ({method}: {path}).", status=404)

    def _create_session(self, p: dict) -> dict:
        mode = p.get("mode")
        if not mode:
            raise _missing("mode")
        if mode not in ("payment", "setup", "subscription"):
            raise ApiError(
                f"Invalid mode: must be one of payment, setup, or subscription (got {mode!r})",
                param="mode",
            )
        if mode != "payment":
            raise ApiError("This fake only supports mode=payment.", param="mode")
        success_url = _url(p, "success_url")
        cancel_url = _url(p, "cancel_url")
        items = p.get("line_items")
        if not items:
            raise _missing("line_items")
        if not isinstance(items, list):
            raise ApiError("Invalid array", code="parameter_invalid_array", param="line_items")
        currencies = set()
        total = 0
        line_items = []
        for i, item in enumerate(items):
            at = f"line_items[{i}]"
            if "price" in item:
                raise ApiError("This fake only supports price_data.", param=f"{at}[price]")
            data = item.get("price_data")
            if not isinstance(data, dict):
                raise _missing(f"{at}[price_data]")
            if "quantity" not in item:
                raise _missing(f"{at}[quantity]")
            quantity = _integer(item, "quantity", f"{at}[quantity]", minimum=1)
            currency = data.get("currency")
            if not currency:
                raise _missing(f"{at}[price_data][currency]")
            if currency not in SUPPORTED_CURRENCIES:
                raise ApiError(
                    f"Invalid currency: {currency}. Stripe currently supports these "
                    f"currencies: {', '.join(sorted(SUPPORTED_CURRENCIES))}",
                    param=f"{at}[price_data][currency]",
                )
            if "unit_amount" not in data:
                raise _missing(f"{at}[price_data][unit_amount]")
            unit_amount = _integer(data, "unit_amount", f"{at}[price_data][unit_amount]")
            if unit_amount <= 0:
                raise ApiError("Invalid positive integer", param=f"{at}[price_data][unit_amount]")
            product = data.get("product_data")
            if not isinstance(product, dict) or not product.get("name"):
                raise _missing(f"{at}[price_data][product_data][name]")
            currencies.add(currency)
            total += unit_amount * quantity
            line_items.append(
                {
                    "description": product["name"],
                    "quantity": quantity,
                    "unit_amount": unit_amount,
                    "currency": currency,
                }
            )
        if len(currencies) > 1:
            raise ApiError("Checkout does not support multiple currencies.", param="line_items")
        if total > 99_999_999_999:
            raise ApiError("Amount must be no more than 999,999,999.99", code="amount_too_large")
        now = int(time.time())
        expires_at = now + MAX_EXPIRY
        if "expires_at" in p:
            expires_at = _integer(p, "expires_at", "expires_at")
            if not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
                raise ApiError(
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                    "from Checkout Session creation.",
                    param="expires_at",
                )
        reference = p.get("client_reference_id")
        if reference is not None and (not reference or len(reference) > 200):
            raise ApiError("Invalid client_reference_id", param="client_reference_id")
        pi_data = p.get("payment_intent_data") or {}
        if not isinstance(pi_data, dict):
            raise ApiError("Invalid object", param="payment_intent_data")
        session_id = _new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": cancel_url,
            "client_reference_id": reference,
            "created": now,
            "currency": currencies.pop(),
            "customer_email": p.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": p.get("locale"),
            "metadata": _metadata(p, "metadata"),
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": success_url,
            "url": f"{self.url}/pay/{session_id}",
            "_line_items": line_items,
            "_payment_intent_metadata": _metadata(pi_data, "metadata"),
        }
        self.sessions[session_id] = session
        return session

    def _find(self, table: dict, object_id: str, name: str, param: str) -> dict:
        try:
            return table[object_id]
        except KeyError:
            raise ApiError(
                f"No such {name}: '{object_id}'", status=404, code="resource_missing", param=param
            ) from None

    def _session(self, session_id: str) -> dict:
        return self._find(self.sessions, session_id, "checkout.session", "session")

    def _expire_session(self, session_id: str) -> dict:
        session = self._session(session_id)
        if session["status"] != "open":
            raise ApiError('Only Checkout Sessions with a status in ["open"] can be expired.')
        session["status"] = "expired"
        self.event("checkout.session.expired", session)
        return session

    def _create_refund(self, p: dict) -> dict:
        if "payment_intent" in p:
            pi = self._find(
                self.payment_intents, p["payment_intent"], "payment_intent", "payment_intent"
            )
            if not pi["latest_charge"]:
                raise ApiError(
                    f"PaymentIntent {pi['id']} does not have a successful charge to refund.",
                    code="charge_not_refundable",
                )
            charge = self.charges[pi["latest_charge"]]
        elif "charge" in p:
            charge = self._find(self.charges, p["charge"], "charge", "charge")
        else:
            raise ApiError(
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = _integer(p, "amount", "amount") if "amount" in p else remaining
        if amount <= 0:
            raise ApiError("Invalid positive integer", param="amount")
        if remaining == 0:
            raise ApiError(
                f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        if amount > remaining:
            raise ApiError(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining})",
                code="amount_too_large",
                param="amount",
            )
        reason = p.get("reason")
        if reason is not None and reason not in (
            "duplicate",
            "fraudulent",
            "requested_by_customer",
        ):
            raise ApiError("Invalid reason", param="reason")
        refund_id = _new_id("re")
        txn = self._balance_transaction("refund", -amount, charge["currency"], refund_id)
        refund = {
            "id": refund_id,
            "balance_transaction": txn["id"],
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
            "metadata": _metadata(p, "metadata"),
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.event("charge.refunded", charge)
        return refund

    def _payment_intent(self, pi_id: str, expand: list[str]) -> dict:
        pi = dict(self._find(self.payment_intents, pi_id, "payment_intent", "intent"))
        for path in expand:
            if (
                path in ("latest_charge", "latest_charge.balance_transaction")
                and pi["latest_charge"]
            ):
                charge = dict(self.charges[pi["latest_charge"]])
                if path.endswith("balance_transaction"):
                    charge["balance_transaction"] = self.balance_transactions[
                        charge["balance_transaction"]
                    ]
                pi["latest_charge"] = charge
            elif path not in ("latest_charge", "latest_charge.balance_transaction"):
                raise ApiError(f"This property cannot be expanded ({path}).", param="expand")
        return pi

    def _list(self, table: dict, name: str, query: dict, allowed: set[str], match) -> dict:
        """A list endpoint: newest first, ``limit`` (1–100, default 10), ``starting_after``
        / ``ending_before`` cursors, ``created`` filters, ``expand[]=data.source``."""
        for key in query:
            if key not in allowed:
                raise ApiError(f"Received unknown parameter: {key}", param=key)
        limit = _integer(query, "limit", "limit", minimum=1) if "limit" in query else 10
        if limit > 100:
            raise ApiError(
                "Invalid limit: must be less than or equal to 100",
                code="parameter_invalid_integer",
                param="limit",
            )
        created = _range(query, "created")
        expand = query.get("expand") or []
        if not isinstance(expand, list) or any(e != "data.source" for e in expand):
            raise ApiError(f"This property cannot be expanded ({expand}).", param="expand")
        if "starting_after" in query and "ending_before" in query:
            raise ApiError(
                "You may only specify one of these parameters: starting_after, ending_before."
            )
        rows = [
            r
            for r in reversed(list(table.values()))  # newest first
            if created(r["created"]) and match(r)
        ]
        for cursor in ("starting_after", "ending_before"):
            if cursor in query:
                ids = [r["id"] for r in table.values()]
                if query[cursor] not in ids:
                    raise ApiError(
                        f"No such {name}: '{query[cursor]}'",
                        status=404,
                        code="resource_missing",
                        param=cursor,
                    )
        if "starting_after" in query:
            order = list(reversed(table))
            after = order.index(query["starting_after"])
            rows = [r for r in rows if order.index(r["id"]) > after]
        elif "ending_before" in query:
            order = list(reversed(table))
            before = order.index(query["ending_before"])
            rows = [r for r in rows if order.index(r["id"]) < before][-limit:]
        page = [dict(r) for r in rows[:limit]]
        if expand:
            for r in page:
                r["source"] = self._source(r.get("source"))
        return {
            "object": "list",
            "data": page,
            "has_more": len(rows) > limit,
            "url": f"/v1/{name.replace(' ', '_')}s",
        }

    def _source(self, source_id):
        for table in (self.charges, self.refunds, self.payouts, self.disputes):
            if source_id in table:
                return table[source_id]
        return source_id

    def _list_balance_transactions(self, query: dict) -> dict:
        payout = query.get("payout")
        if payout is not None:
            self._find(self.payouts, payout, "payout", "payout")
        kind = query.get("type")
        return self._list(
            self.balance_transactions,
            "balance transaction",
            query,
            {"limit", "starting_after", "ending_before", "created", "payout", "type", "expand"},
            lambda t: (
                (payout is None or t["_payout"] == payout) and (kind is None or t["type"] == kind)
            ),
        )

    def _list_payouts(self, query: dict) -> dict:
        status = query.get("status")
        if status is not None and status not in PAYOUT_STATUSES:
            raise ApiError(
                f"Invalid status: must be one of {', '.join(PAYOUT_STATUSES)}", param="status"
            )
        return self._list(
            self.payouts,
            "payout",
            query,
            {"limit", "starting_after", "ending_before", "created", "status"},
            lambda p: status is None or p["status"] == status,
        )

    def _list_refunds(self, query: dict) -> dict:
        charge, pi = query.get("charge"), query.get("payment_intent")
        return self._list(
            self.refunds,
            "refund",
            query,
            {"limit", "starting_after", "ending_before", "created", "charge", "payment_intent"},
            lambda r: (
                (charge is None or r["charge"] == charge)
                and (pi is None or r["payment_intent"] == pi)
            ),
        )

    # -- request plumbing ------------------------------------------------------------

    def handle_api(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict, dict]:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        key = handler.headers.get("Idempotency-Key")
        try:
            params = decode(raw)
            query = decode(split.query)
        except FormError as error:
            return 400, ApiError(str(error)).body, {}
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    handler.command, split.path, params, dict(handler.headers), key, query
                )
            )
        if self.delay and self._stopping.wait(self.delay):
            raise ConnectionAbortedError  # the server went away while "slow"
        if self.fail_after is not None and len(self.requests) > self.fail_after:
            error = ApiError("An unknown error occurred", status=500, type="api_error")
            return 500, error.body, {}
        auth = handler.headers.get("Authorization", "")
        if auth != f"Bearer {self.api_key}":
            shown = auth.removeprefix("Bearer ")[:8] + "****" if auth else ""
            message = (
                f"Invalid API Key provided: {shown}" if shown else "You did not provide an API key."
            )
            return 401, ApiError(message, status=401).body, {}
        fingerprint = json.dumps(
            [handler.command, split.path, sorted(parse_qsl(raw, keep_blank_values=True))]
        )
        with self._lock:
            if handler.command == "POST" and key and key in self._idempotency:
                saved_fingerprint, status, body = self._idempotency[key]
                if saved_fingerprint != fingerprint:
                    error = ApiError(
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        type="idempotency_error",
                    )
                    return 400, error.body, {}
                return status, body, {"Idempotent-Replayed": "true"}
            try:
                body = _public(self.api(handler.command, split.path, params, query))
                status = 200
            except ApiError as error:
                return error.status, error.body, {}
            if handler.command == "POST" and key:
                self._idempotency[key] = (fingerprint, status, body)
            self._changed.notify_all()
            return status, body, {}

    def hosted_page(self, session_id: str) -> tuple[int, str]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, "<h1>Not found</h1>"
        rows = "".join(
            f"<li>{html.escape(li['description'])} × {li['quantity']}: "
            f"{li['unit_amount'] * li['quantity'] / 100:,.2f} {li['currency'].upper()}</li>"
            for li in session["_line_items"]
        )
        if session["status"] != "open":
            body = f"<p id='state'>This Checkout Session is {session['status']}.</p>"
        else:
            body = (
                f"<form method='post' action='/pay/{session_id}'>"
                f"<button type='submit' id='pay'>Pay</button></form>"
                f"<a id='back' href='{html.escape(session['cancel_url'])}'>Back</a>"
            )
        total = f"{session['amount_total'] / 100:,.2f} {session['currency'].upper()}"
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Fake Stripe Checkout"
            f"</title></head><body><h1>Fake Stripe Checkout</h1><ul>{rows}</ul>"
            f"<p id='total'>Total {total}</p>{body}</body></html>"
        )
        return 200, page

    def pay_from_page(self, session_id: str) -> str | None:
        """The Pay button: complete, post the webhook (unless held), answer the redirect."""
        session = self.sessions.get(session_id)
        if session is None or session["status"] != "open" or session["expires_at"] < time.time():
            return None
        event = self.complete(session_id)
        if self.hold_webhooks:
            self.held.append(event)
        else:
            self.deliver(event)
        return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


def _public(obj):
    """Drop the fake's private ``_fields`` from an object before answering."""
    if isinstance(obj, dict):
        return {k: _public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [_public(v) for v in obj]
    return obj


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def setup(self):
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self):
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _new_id("req"))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path.startswith("/v1/"):
                status, body, extra = self.fake.handle_api(self)
                self._send(status, json.dumps(body).encode(), "application/json", extra)
            elif path.startswith("/pay/") and self.command == "GET":
                status, page = self.fake.hosted_page(path.removeprefix("/pay/"))
                self._send(status, page.encode(), "text/html; charset=utf-8")
            elif path.startswith("/pay/") and self.command == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                target = self.fake.pay_from_page(path.removeprefix("/pay/"))
                if target is None:
                    self._send(409, b"This Checkout Session is no longer active.", "text/plain")
                else:
                    self._send(303, b"", "text/plain", {"Location": target})
            else:
                self._send(404, b"not found", "text/plain")
        except (ConnectionAbortedError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _dispatch
    do_POST = _dispatch
