"""The footer is rendered once per language and process, and each language keeps its own."""

from __future__ import annotations

from flask import template_rendered

from shop import site_parts


def _footer(page: str) -> str:
    return page.split('class="site-footer"', 1)[1]


def test_each_language_gets_its_own_footer_rendered_once(app, client, monkeypatch):
    monkeypatch.setattr(site_parts, "_footers", {})
    rendered: list[str] = []

    def record(_sender, template, **_extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        first = client.get("/fasilitas").get_data(as_text=True)
        again = client.get("/pesanan/cari").get_data(as_text=True)
        english = client.get("/fasilitas", headers={"Accept-Language": "en"}).get_data(as_text=True)
    finally:
        template_rendered.disconnect(record, app)
    assert "Cari pesanan Anda" in _footer(first) and _footer(first) == _footer(again)
    assert "Find your order" in _footer(english) and "Cari pesanan" not in _footer(english)
    assert rendered.count("partials/site_footer.html") == 2  # once per language
