"""Double-entry ledger: every rupiah that moves is one balanced, append-only entry."""
