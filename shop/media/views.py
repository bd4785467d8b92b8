"""Routes of this domain."""
