"""Card payments through Stripe: the one door to Stripe's API (``gateway``), Checkout
Sessions (``checkout``), webhooks, refunds, and the sync of balance transactions and
payouts. These modules translate Stripe's world into the payment core's calls."""
