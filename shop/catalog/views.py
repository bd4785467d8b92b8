"""Public catalog pages: home, listing and search, product, facilities."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from shop.cart.views import cart_count
from shop.catalog import bp, fragments, freshness, page_cache, services
from shop.catalog.forms import MAX_QUERY_LENGTH, parse_listing_args, query_args
from shop.catalog.seo import absolute, jsonld_script_body, photo_url, product_jsonld
from shop.database import end_read_without_transaction, read_without_transaction
from shop.extensions import db
from shop.facilities.models import facility_photo
from shop.http_cache import KeptPage
from shop.i18n import current_locale, format_number
from shop.media.sources import PictureSources, picture_sources
from shop.parsing import parse_page


def _facet_ttl() -> float:
    return float(current_app.config["CATALOG_FACET_TTL"])


def _search_facet_ttl() -> float:
    """``CATALOG_SEARCH_FACET_TTL``, when set; else as the facet lists."""
    value = current_app.config.get("CATALOG_SEARCH_FACET_TTL")
    return _facet_ttl() if value is None else float(value)


def _page_size() -> int:
    return max(1, int(current_app.config["CATALOG_PAGE_SIZE"]))


def _media_prefix() -> str:
    prefix = g.get("_media_prefix")
    if prefix is None:
        prefix = g._media_prefix = url_for("media.photo", name="x")[:-1]
    return prefix


bp.after_app_request(page_cache.schedule_deferred_rebuilds)
bp.add_app_template_global(fragments.cards_html, "product_cards")


def _page_seconds() -> float:
    return float(current_app.config["CATALOG_PAGE_CACHE_SECONDS"])


@bp.before_request
def _read_without_transaction() -> None:
    """The public catalog's pages only read (the cart is changed by POSTs elsewhere)."""
    if request.method in ("GET", "HEAD"):
        read_without_transaction()


@bp.teardown_request
def _end_read_without_transaction(_error=None) -> None:
    end_read_without_transaction(db.session)  # the scoped proxy: nothing made when unused


@bp.before_request
def _forget_outdated_pages() -> None:
    """Kept pages and facets of an older catalog version are forgotten before use (the
    product page reads the version with the product instead)."""
    if request.endpoint == "catalog.product":
        return
    if _page_seconds() > 0 or _facet_ttl() > 0 or _search_facet_ttl() > 0:
        freshness.check()


@bp.app_template_global()
def media_url(name: str) -> str:
    """URL of a stored photo variant; ``url_for`` runs once per request, not per image."""
    return _media_prefix() + name


@bp.app_template_global("picture_sources")
def picture_sources_global(photo, fallback: int) -> PictureSources:
    return picture_sources(photo, _media_prefix(), fallback)


@bp.app_template_global()
def product_url(slug: str) -> str:
    """URL of a product page; ``url_for`` runs once per request, not per card."""
    prefix = g.get("_product_prefix")
    if prefix is None:
        prefix = g._product_prefix = url_for("catalog.product", slug="x")[:-1]
    return prefix + quote(slug, safe="")


@bp.app_template_filter("availability")
def availability_filter(product) -> str:
    return services.availability(product)


@bp.get("/")
def home():
    variant = _shared_page_variant()
    if variant is None:
        return _render_home()
    # The whole page (header included) is the same for everyone of this variant.
    key = ("home", current_locale(), request.query_string, variant)
    return _kept_page(key, _render_home)


def _render_home() -> str:
    ttl = _facet_ttl()
    facilities = [f for f in services.facility_facets(ttl) if f.count]
    facilities.sort(key=lambda f: -f.count)
    return render_template(
        "catalog/home.html",
        featured=services.featured_products(10),
        categories=[c for c in services.category_facets(ttl) if c.count],
        facilities=facilities[:6],
        facility_total=len(facilities),
        split=services.split_sale(100_000, 0, 50, 15, 35),
    )


@bp.get("/produk")
def listing():
    key = ("listing", current_locale(), request.query_string)
    seconds = _page_seconds()
    variant = _shared_page_variant()
    if variant is not None:
        # The whole page (header included) is the same for everyone of this variant.
        return _kept_page((*key, "page", variant), lambda: _render_listing(key, seconds))
    return _render_listing(key, seconds)


def _kept_page(key, render: Callable[[], str], bucket: str = page_cache.PAGES) -> Response:
    """A whole page from the page cache, kept encoded (UTF-8 takes half the memory of a
    str holding any character past U+00FF) and tagged once (an ETag, sent when public)."""
    page = page_cache.cached(key, _page_seconds(), lambda: KeptPage.of(render()), bucket)
    return page.response()


# What a shopper's session may hold while the public pages stay the same for everyone
# with the same cart count: the cart (only its count shows, in the header), the CSRF
# token, checkout details and recent orders (shown on their own pages only), Flask-Login's
# "_fresh" mark (also set for nobody signed in). Anything else (a flashed message, a
# signed-in account's "_user_id") makes the page the visitor's own.
SHARED_SESSION_KEYS = frozenset(
    {"cart", "csrf_token", "_permanent", "_fresh", "checkout", "recent_orders"}
)


def _shared_page_variant() -> int | None:
    """The header's cart count, which is all of a shopper's session a public page
    shows; None when the page must be rendered for this visitor alone."""
    cookies, config = request.cookies, current_app.config
    if config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
        return None  # Flask-Login may sign someone in from it
    if config["SESSION_COOKIE_NAME"] not in cookies:
        return 0
    if not session.keys() <= SHARED_SESSION_KEYS:
        return None
    return cart_count()


def _render_listing(key, seconds: float) -> str:
    parts = page_cache.cached(key, seconds, _listing_parts)
    return render_template("catalog/listing.html", parts=parts)


def _listing_parts() -> dict[str, Markup]:
    """Title, description, head tags and content of a listing page, rendered."""
    query, messages = parse_listing_args(request.args)
    ttl = _facet_ttl()
    categories = services.category_facets(ttl)
    facilities = services.facility_facets(ttl)
    total = services.facet_total(query, categories, facilities)
    page = services.list_products(query, _page_size(), total, facet_ttl=_search_facet_ttl())
    if page.requested_page > page.pages:
        messages.append(
            _("There is no page %(asked)d; showing the last page.", asked=page.requested_page)
        )
    if query.q and not page.searched_tokens:
        messages.append(_("Your search had no words we could look for; showing all products."))
    suggestions = []
    if not page.total and len(page.searched_tokens) > 1:
        suggestions = page.searched_tokens
    context = {
        "query": query,
        "page": page,
        "messages": messages,
        "categories": categories,
        "facilities": facilities,
        "provinces": services.province_facets(ttl),
        "category_by_slug": {c.slug: c for c in categories},
        "facility_by_slug": {f.slug: f for f in facilities},
        "popular_categories": sorted(categories, key=lambda c: -c.count)[:6],
        "word_suggestions": suggestions,
        "corrected_q": " ".join(page.corrected.get(t, t) for t in page.searched_tokens),
        "near_qs": _near_queries(page),
        "facet_count": _facet_count,
        "count_bound": format_number(services.COUNT_BOUND),
        "args": query_args,
        "sorts": services.SORTS,
    }
    current_app.update_template_context(context)
    env = current_app.jinja_env
    context["filters"] = fragments.sidebar_html(
        query,
        page,
        (categories, facilities, context["provinces"]),
        lambda: env.get_template("catalog/_filters.html").render(context),
    )
    module = env.get_template("catalog/_listing_parts.html").make_module(context)
    return {name: getattr(module, name) for name in PARTS}


PARTS = ("title", "description", "head_meta", "content")


def _near_queries(page) -> list[str]:
    """The search with one word replaced by a near word also searched, for each."""
    tokens = [page.corrected.get(t, t) for t in page.searched_tokens]
    return [
        " ".join(word if t == token else t for t in tokens)
        for token, words in page.near.items()
        for word in words
    ]


def _facet_count(facets, kind: str, slug: str, everywhere: int) -> int | None:
    """The number an option of the category or facility filter shows: matches of the
    search (None when the search matched too many to count them all), or for a listing
    without search the products for sale in it."""
    if facets is None:
        return everywhere
    if not facets.exact:
        return None if everywhere else 0
    return getattr(facets, kind).get(slug, 0)


@bp.get("/produk/saran")
def suggest():
    """Completions for the search box as the visitor types: JSON ``{"q": …,
    "suggestions": [...]}``, categories first, then product names; cached."""
    q = " ".join(request.args.get("q", "")[: MAX_QUERY_LENGTH * 4].split())[:MAX_QUERY_LENGTH]
    locale = current_locale()
    seconds = _page_seconds()
    found = page_cache.cached(
        ("suggest", locale, q.casefold()), seconds, lambda: services.suggestions(q, locale)
    )
    response = jsonify(q=q, suggestions=found)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/produk/<slug>")
def product(slug: str):
    """The product's body is kept per product version, stock state and language, and
    the whole page per stock level and cart count too; the stock badge and buy box
    always show the live row read by this request (with the page cache off, nothing
    is kept and the body is rendered each time)."""
    seconds = _page_seconds()
    live = services.product_stock(slug)
    if live is None or live.status == "draft":
        abort(404)
    freshness.seen(live.catalog_version)
    if not live.for_sale:
        item = services.get_product(slug)
        return render_template("catalog/gone.html", product=item), 404
    locale = current_locale()
    sold_out = live.available <= 0  # the JSON-LD offer says in stock or out of stock
    body_key = ("product", live.id, live.version, sold_out, locale)

    def render() -> str:
        body = page_cache.cached(
            body_key, seconds, lambda: _load_product_parts(slug), page_cache.PRODUCTS
        )
        return _render_product(body, live)

    variant = _shared_page_variant()
    if variant is None:
        return render()
    # The whole page for everyone of this variant while the stock stays what it is: a
    # sale changes the key, so the buy box is never older than the row just read.
    key = (*body_key, live.available, "page", request.query_string, variant)
    return _kept_page(key, render, page_cache.PRODUCTS)


def _render_product(parts: dict[str, Markup], live) -> str:
    return render_template(
        "catalog/product.html",
        parts=parts,
        product=live,
        canonical=parts["canonical"],
        og_image=parts["og_image"],
    )


def _load_product_parts(slug: str) -> dict[str, Markup]:
    item = services.get_product(slug)
    if item is None:  # deleted since its row was read: nothing worth keeping
        abort(404)
    return _product_parts(item)


PRODUCT_PARTS = ("title", "description", "head_meta", "top", "bottom")


def _product_parts(item) -> dict[str, Markup]:
    """Everything of a product page but its stock badge and buy box, rendered."""
    locale = current_locale()
    context = {
        "product": item,
        "split": services.split_for(item, _facet_ttl()),
        "related": services.related_products(item, 4, _page_seconds()),
        "jsonld": jsonld_script_body(product_jsonld(item, locale)),
    }
    current_app.update_template_context(context)
    template = current_app.jinja_env.get_template("catalog/_product_parts.html")
    module = template.make_module(context)
    parts = {name: getattr(module, name) for name in PRODUCT_PARTS}
    parts["og_image"] = absolute(photo_url(item.main_photo)) if item.photos else None
    parts["canonical"] = absolute(url_for("catalog.product", slug=item.slug))
    return parts


@bp.get("/fasilitas")
def facilities():
    facilities = services.facility_facets(_facet_ttl())
    by_province: dict[str, list] = {}
    for facility in facilities:
        by_province.setdefault(facility.province, []).append(facility)
    return render_template(
        "catalog/facilities.html", by_province=by_province, total=len(facilities)
    )


@bp.get("/fasilitas/<slug>")
def facility(slug: str):
    variant = _shared_page_variant()
    if variant is None:
        return _render_facility(slug)
    # Kept like the listing: the same for everyone of this variant; a 404 is not kept.
    key = ("facility", slug, current_locale(), request.query_string, variant)
    return _kept_page(key, lambda: _render_facility(slug))


def _render_facility(slug: str) -> str:
    item = services.get_facility(slug)
    if item is None:
        abort(404)
    page = services.facility_products(
        item, parse_page(request.args.get("hal")), _page_size(), _facet_ttl()
    )
    return render_template(
        "catalog/facility.html",
        facility=item,
        page=page,
        whatsapp=services.whatsapp_link(item.whatsapp),
        split=services.split_today(item.id, _facet_ttl()),
        photo=facility_photo(item),
        canonical=absolute(url_for("catalog.facility", slug=item.slug)),
    )
