"""Where the shop may send a visitor back to after a form."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import has_request_context, request, url_for


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


# Template links built once per process: the same endpoint and values always give the
# same relative path (the shop has no URL defaults or value preprocessors), and a page
# asks for twenty to thirty of them. Links to the request's own path ("next=…"),
# absolute URLs and anchors are built every time, like any value that is not a string
# or a number.
KEPT_LINKS = 4096
_links: dict[tuple, str] = {}


def kept_url_for(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` for templates, kept per process when it can be."""
    if (
        not has_request_context()
        or "next" in values
        or not all(
            isinstance(value, str | int) and not name.startswith("_")
            for name, value in values.items()
        )
    ):
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    link = _links.get(key)
    if link is None:
        link = url_for(endpoint, **values)
        if len(_links) >= KEPT_LINKS:
            _links.clear()
        _links[key] = link
    return link
