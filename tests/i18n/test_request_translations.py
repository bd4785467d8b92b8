"""Templates read one catalog per request; each request still gets its own language."""

from __future__ import annotations

import pytest
from factories import make_product

from shop import i18n
from shop.extensions import db


def test_a_page_looks_its_catalog_up_once(client, monkeypatch):
    make_product(name="Batik Kawung Sogan")
    db.session.commit()
    looked_up = []
    original = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: looked_up.append(1) or original())
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Skip to content" in page and "Where the money goes" in page
    assert len(looked_up) == 1


@pytest.mark.parametrize("cached", [False, True], ids=["uncached", "cached"])
def test_consecutive_requests_in_other_languages_each_get_their_own(app, request, cached):
    if cached:
        request.getfixturevalue("page_cache_on")
    make_product(name="Tas Rotan Bundar")
    db.session.commit()
    indonesian, english = app.test_client(), app.test_client()
    english.set_cookie("lang", "en")
    for path in ("/", "/produk", "/produk?urut=harga_naik"):
        for _round in range(2):
            id_page = indonesian.get(path).get_data(as_text=True)
            en_page = english.get(path).get_data(as_text=True)
            assert '<html lang="id">' in id_page and "Langsung ke isi" in id_page, path
            assert "Skip to content" not in id_page, path
            assert '<html lang="en">' in en_page and "Skip to content" in en_page, path
            assert "Langsung ke isi" not in en_page, path


def test_switching_language_changes_the_next_page(client):
    make_product(name="Tas Rotan Bundar")
    db.session.commit()
    assert "Langsung ke isi" in client.get("/produk").get_data(as_text=True)
    client.get("/lang/en?next=/produk")
    assert "Skip to content" in client.get("/produk").get_data(as_text=True)
    client.get("/lang/id?next=/produk")
    assert "Langsung ke isi" in client.get("/produk").get_data(as_text=True)


def test_a_forced_language_inside_a_request_is_honoured_and_undone(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Skip to content') }}"
    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert render_template_string(template) == "Langsung ke isi"
        with force_locale("en"):
            assert render_template_string(template) == "Skip to content"
        assert render_template_string(template) == "Langsung ke isi"
