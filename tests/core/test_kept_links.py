"""Template links kept per process (shop/urls.py) are the links ``url_for`` builds."""

from __future__ import annotations

from flask import url_for

from shop import urls


def test_kept_links_match_url_for_under_any_script_root(app):
    urls._links.clear()
    for root in ("", "/toko"):
        with app.test_request_context("/", base_url=f"http://shop.test{root}"):
            for endpoint, values in (
                ("catalog.listing", {}),
                ("catalog.listing", {"kategori": "batik-tulis"}),
                ("catalog.facility", {"slug": "lapas-banyuwangi"}),
                ("static", {"filename": "css/shop.css"}),
            ):
                expected = url_for(endpoint, **values)
                assert expected.startswith(f"{root}/")
                assert urls.kept_url_for(endpoint, **values) == expected
                assert urls.kept_url_for(endpoint, **values) == expected  # kept
    assert len(urls._links) == 8


def test_links_to_the_current_page_and_absolute_links_are_not_kept(app):
    urls._links.clear()
    with app.test_request_context("/produk?hal=2"):
        back = urls.kept_url_for("core.switch_language", code="en", next="/produk?hal=2")
        assert back == url_for("core.switch_language", code="en", next="/produk?hal=2")
        absolute = urls.kept_url_for("catalog.home", _external=True)
        assert absolute == "http://localhost/"
    assert urls._links == {}


def test_the_kept_links_are_bounded(app, monkeypatch):
    urls._links.clear()
    monkeypatch.setattr(urls, "KEPT_LINKS", 3)
    with app.test_request_context("/"):
        for n in range(7):
            assert urls.kept_url_for("catalog.facility", slug=f"f{n}") == f"/fasilitas/f{n}"
    assert 1 <= len(urls._links) <= 3
