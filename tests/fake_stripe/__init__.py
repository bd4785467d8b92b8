"""A fake Stripe API server for tests (see :mod:`fake_stripe.server`)."""

from .server import ApiError, FakeStripe, RecordedRequest

__all__ = ["ApiError", "FakeStripe", "RecordedRequest"]
