"""Decode Stripe's form encoding (``line_items[0][price_data][currency]=idr``) into dicts."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class FormError(ValueError):
    pass


def decode(body: str) -> dict:
    """Nested dicts; a level whose keys are all digits becomes a list (as Stripe reads it)."""
    root: dict = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        match = _KEY_RE.match(raw_key)
        if not match:
            raise FormError(f"Invalid parameter name: {raw_key}")
        parts = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise FormError(f"Invalid parameter name: {raw_key}")
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
