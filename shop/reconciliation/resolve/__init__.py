"""Resolving the exceptions queue: each kind in its own module, each resolution recorded
once (a :class:`~shop.reconciliation.models.Resolution` row, unique on what it resolved),
audited, and posted to the ledger by the payment services it calls. Services ``flush()``;
the caller commits."""
