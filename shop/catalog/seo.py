"""Structured data for search engines (schema.org JSON-LD), built as data, not markup."""

from __future__ import annotations

import json

from flask import current_app, url_for
from markupsafe import Markup

from shop.catalog.models import Product
from shop.catalog.services import availability


def absolute(path: str) -> str:
    """An absolute URL on the public site for a path from ``url_for``."""
    return current_app.config["SITE_URL"] + path


def photo_url(photo, width: int | None = None, fmt: str = "jpeg") -> str:
    width = width or max(photo.widths)
    return url_for("media.photo", name=photo.variant_name(width, fmt))


def product_jsonld(product: Product, locale: str) -> dict:
    """A schema.org ``Product`` with one ``Offer`` in IDR."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "sku": product.sku,
        "url": absolute(url_for("catalog.product", slug=product.slug)),
        "category": product.category.name(locale),
        "brand": {"@type": "Brand", "name": product.facility.name},
        "offers": {
            "@type": "Offer",
            "priceCurrency": "IDR",
            "price": str(product.price),
            "availability": "https://schema.org/OutOfStock"
            if availability(product) == "sold_out"
            else "https://schema.org/InStock",
            "itemCondition": "https://schema.org/NewCondition",
            "url": absolute(url_for("catalog.product", slug=product.slug)),
            "seller": {"@type": "Organization", "name": product.facility.name},
        },
    }
    if product.photos:
        data["image"] = [absolute(photo_url(photo)) for photo in product.photos]
    if product.materials:
        data["material"] = product.materials
    if product.weight_grams:
        data["weight"] = {
            "@type": "QuantitativeValue",
            "value": product.weight_grams,
            "unitCode": "GRM",
        }
    return data


def jsonld_script_body(data: dict) -> Markup:
    """JSON safe to place inside ``<script type="application/ld+json">``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "<", ">" and "&" only occur inside JSON strings: as \u escapes they cannot close
    # the script element or open a comment, and the JSON means the same.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above
