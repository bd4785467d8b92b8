"""Where the shop may send a visitor back to after a form."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site ("/produk?hal=2"), else None.

    Refuses absolute and scheme-relative URLs ("//evil.example") and backslashes, which
    some browsers read as slashes, so a ``next`` parameter cannot send anyone off-site.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
