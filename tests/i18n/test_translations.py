"""No English on Indonesian pages.

Three nets, each catching what the others cannot:

1. every message in the code (``_()``, ``_l()``, ``gettext`` in Python and templates,
   read with Babel's extractor) has an Indonesian translation in some catalog, and every
   entry of every catalog is translated (WTForms' own messages included);
2. the key pages, rendered in Indonesian, contain none of our own English messages
   (any msgid of three words or more found verbatim in the page text is a miss: the
   catalog lacks it, or the page bypasses translation);
3. the same pages contain none of a list of English sentinel words, which catches English
   written straight into a template or a view, outside any ``_()``.
"""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po
from catalog_check import catalog_paths, indonesian, source_messages
from factories import make_category, make_facility, make_product
from order_helpers import place
from sqlalchemy import select
from staff_helpers import make_user, sign_in
from wtforms.i18n import messages_path

from shop.extensions import db
from shop.orders.models import FacilityOrder
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.shipping.services import ensure_default_rates
from shop.uow import begin_write

# English words that our own pages only ever show in English; none is Indonesian, none is
# a name in the test data. Written as whole words, matched case-insensitively.
SENTINELS = {
    "the", "your", "you", "and", "with", "please", "search", "price", "products",
    "product", "order", "orders", "cart", "add", "save", "cancel", "stock",
    "back", "next", "previous", "page", "sign", "password", "email address", "shipping",
    "payment", "paid", "quantity", "available", "sold out", "facility",
    "facilities", "photo", "photos", "description", "category", "name", "not",
    "find", "track", "tracking", "change", "remove", "update", "more", "all", "none",
}  # fmt: skip
# Words that may appear on Indonesian pages although they are English: brand and product
# names, technical labels used as they are in Indonesian ("Status", "Total" and "Checkout"
# are Indonesian words too, so they are no sentinels).
ALLOWED = {
    "Karya Binaan", "SKU", "WIB", "CSV", "PNBP", "JNE", "J&T Express", "POS Indonesia",
}  # fmt: skip


def test_every_message_in_the_code_has_an_indonesian_translation():
    translated = indonesian()
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(source_messages().items(), key=lambda item: item[1])
        if not any(translated.get(msgid, {}).values())
    ]
    assert not missing, "no Indonesian for:\n" + "\n".join(missing)


def test_every_catalog_entry_is_translated():
    empty = [
        f"{path}: {msgid!r}"
        for msgid, by_path in indonesian().items()
        for path, msgstr in by_path.items()
        if not msgstr.strip()
    ]
    assert catalog_paths() and not empty, "\n".join(empty)


def test_wtforms_own_messages_are_in_our_catalogs():
    with open(f"{messages_path()}/wtforms.pot", "rb") as pot:
        wtforms = [m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(pot) if m.id]
    translated = indonesian()
    assert wtforms
    assert [m for m in wtforms if not any(translated.get(m, {}).values())] == []


# ---- rendered pages -----------------------------------------------------------------------


def _visible_text(page: str) -> str:
    """What a reader sees or hears: text and the attributes read out or shown."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<head>.*?</head>", " ", page)
    attributes = re.findall(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"', page)
    attributes += re.findall(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"', page)
    text = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def _english_found(text: str, messages: list[str]) -> list[str]:
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    found = [f"message {m!r}" for m in messages if m in text]
    lowered = " " + " ".join(re.findall(r"[a-z]+", text.lower())) + " "
    found += [f"word {w!r}" for w in sorted(SENTINELS) if f" {w} " in lowered]
    return found


def _english_messages() -> list[str]:
    """Our own English messages long enough to be unmistakable (3+ words, no placeholders
    in the middle: the text before a placeholder, when it is long enough)."""
    out = set()
    for msgid in source_messages():
        for piece in re.split(r"%\(\w+\)[sdf+]|%%|\{\{.*?\}\}", msgid):
            piece = piece.strip(" .,:;!?()\"'…")
            if len(piece.split()) >= 3 and piece not in ALLOWED:
                out.add(piece)
    return sorted(out)


@pytest.fixture
def world(app):
    ensure_default_rates()
    category = make_category(name_id="Batik Tulis", name_en="Hand-drawn batik")
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    product = make_product(facility, category, name="Kain Batik Gajah Oling")
    make_product(facility, category, name="Tas Rotan Kecil", on_hand=0)
    staff = make_user(facility)
    admin = make_user(role="admin")
    db.session.commit()
    order = place({product.id: 1})
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin:1", "BRI 123")
    db.session.commit()
    part = db.session.scalar(select(FacilityOrder).where(FacilityOrder.order_id == order.id))
    return {
        "product": product,
        "facility": facility,
        "order": order,
        "part": part,
        "staff": staff,
        "admin": admin,
    }


def _public_pages(client, w) -> dict[str, str]:
    pages = {
        "home": client.get("/"),
        "listing": client.get("/produk?q=batik"),
        "listing, empty": client.get("/produk?q=zzzz&harga_min=abc&urut=x"),
        "product": client.get(f"/produk/{w['product'].slug}"),
        "facilities": client.get("/fasilitas"),
        "facility": client.get(f"/fasilitas/{w['facility'].slug}"),
        "order tracking": client.get(f"/pesanan/{w['order'].public_token}"),
        "order lookup": client.get("/pesanan/cari"),
        "sign-in": client.get("/masuk"),
        "forgot password": client.get("/akun/lupa-kata-sandi"),
        "404": client.get("/tidak-ada"),
        "400": client.get("/produk?q=%00"),
    }
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', pages["order lookup"].text)[1]
    client.post(
        "/keranjang/tambah",
        data={"csrf_token": csrf, "product_id": w["product"].id, "quantity": "1"},
    )
    pages["cart"] = client.get("/keranjang")
    pages["checkout"] = client.get("/checkout")
    pages["checkout, errors"] = client.post(
        "/checkout", data={"csrf_token": csrf, "name": " ", "postal_code": "x"}
    )
    return pages


def _staff_pages(client, w) -> dict[str, str]:
    product, part = w["product"], w["part"]
    return {
        "dashboard": client.get("/dasbor/"),
        "dashboard products": client.get("/dasbor/produk"),
        "dashboard product": client.get(f"/dasbor/produk/{product.id}"),
        "dashboard new product": client.get("/dasbor/produk/baru"),
        "dashboard stock": client.get("/dasbor/stok"),
        "dashboard stock product": client.get(f"/dasbor/stok/{product.id}"),
        "dashboard ledger": client.get("/dasbor/stok/riwayat"),
        "dashboard orders": client.get("/dasbor/pesanan?tab=to_pack"),
        "dashboard order": client.get(f"/dasbor/pesanan/{part.id}"),
        "dashboard slip": client.get(f"/dasbor/pesanan/{part.id}/slip"),
        "password": client.get("/akun/kata-sandi"),
    }


def _admin_pages(client, w) -> dict[str, str]:
    return {
        "admin": client.get("/admin/"),
        "admin shipping": client.get("/admin/ongkir"),
        "admin transfers": client.get("/admin/transfer"),
        "admin transfer": client.get(f"/admin/transfer/{w['order'].id}"),
    }


def test_key_pages_in_indonesian_show_no_english(app, world):
    messages = _english_messages()
    assert len(messages) > 200  # the net is really cast
    public, staff, admin = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(staff, world["staff"].email).status_code == 303
    assert sign_in(admin, world["admin"].email).status_code == 303
    pages = {
        **_public_pages(public, world),
        **_staff_pages(staff, world),
        **_admin_pages(admin, world),
    }
    problems = []
    for name, response in pages.items():
        assert response.status_code in (200, 400, 404), name
        assert '<html lang="id">' in response.text, name
        problems += [
            f"{name}: {found}" for found in _english_found(_visible_text(response.text), messages)
        ]
    assert not problems, "\n".join(problems)


def test_the_net_catches_english(app):
    """The checks above would see an untranslated message and English in a template."""
    messages = _english_messages()
    assert _english_found("Pesanan Anda. Your cart is empty.", messages)
    assert _english_found("Lihat produk. Add to cart", messages)
    assert _english_found("Keranjang Anda kosong.", messages) == []
    english_404 = app.test_client().get("/tidak-ada", headers={"Accept-Language": "en"})
    assert _english_found(_visible_text(english_404.text), messages)


def test_the_english_404_page_searches_in_english(client):
    page = client.get("/tidak-ada", headers={"Accept-Language": "en"}).text
    assert 'placeholder="batik, rattan bags, woven cloth…"' in page
    assert "tas rotan" not in page
    indonesian_page = client.get("/tidak-ada").text
    assert 'placeholder="batik, tas rotan, kain tenun…"' in indonesian_page


def test_every_form_of_the_shop_derives_from_the_translated_base(app):
    from flask_wtf import FlaskForm

    from shop.forms import Form

    todo, plain = list(FlaskForm.__subclasses__()), []
    while todo:
        form_class = todo.pop()
        todo.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("shop.") and not issubclass(form_class, Form):
            plain.append(f"{form_class.__module__}.{form_class.__qualname__}")
    assert plain == [], "derive these from shop.forms.Form (WTForms' messages in Indonesian)"


def test_no_message_is_translated_two_ways():
    """Flask-Babel merges every domain's catalog: one English text, one Indonesian text,
    or which one a page shows depends on the order the catalogs load."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    root = Path(__file__).resolve().parents[2] / "shop"
    for po in sorted(root.glob("**/translations/id/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                key = message.id if isinstance(message.id, str) else message.id[0]
                if not key:
                    continue
                first = seen.setdefault(key, (po.parent.parent.parent.parent.name, message.string))
                if first[1] != message.string:
                    clashes.append((key, first, message.string))
    assert clashes == []
