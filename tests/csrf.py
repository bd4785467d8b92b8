"""Reading the CSRF token out of a rendered form (kept out of conftest.py, which cannot
be imported by name while several conftest modules are collected)."""

from __future__ import annotations

import re

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a rendered page."""
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)
