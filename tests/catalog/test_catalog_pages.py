import json
import re
import xml.etree.ElementTree as ET

from catalog_data import small_shop

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_home_shows_featured_categories_facilities_and_the_split(client):
    small_shop()
    html = client.get("/").get_data(as_text=True)
    assert "Kain Batik Tulis Kawung" in html  # the product with a photo is featured
    assert "Batik Tulis" in html and "Anyaman Rotan" in html
    assert "Lapas Kelas IIA Kerobokan" in html
    assert "50%" in html and "15%" in html and "35%" in html
    assert "Ke mana uangnya mengalir" in html


def test_product_page_content(client):
    small_shop()
    response = client.get("/produk/kain-batik-tulis-kawung")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="product-title">Kain Batik Tulis Kawung</h1>' in html
    assert "Rp 450.000" in html
    assert "katun primisima, malam, pewarna alam" in html
    assert 'href="/fasilitas/lapas-banyuwangi"' in html
    assert "Selendang Batik Parang" in html  # related, same facility
    # money breakdown: profit 300.000 split 50/15/35, material cost 150.000
    for amount in ("Rp 150.000", "Rp 300.000", "Rp 45.000", "Rp 105.000"):
        assert amount in html
    # gallery: main image eager, responsive sources
    assert 'type="image/webp"' in html
    assert "-800.webp 800w" in html and "-400.jpg 400w" in html
    assert 'alt="Kain batik kawung coklat terlipat"' in html
    assert 'href="#foto-2"' in html
    first_img = re.search(r"<img [^>]*>", html[html.index('id="foto-1"') :]).group(0)
    assert "loading=" not in first_img and 'width="800" height="600"' in first_img


def test_product_split_uses_the_facility_percentages(client):
    small_shop()
    html = client.get("/produk/kain-tenun-ikat").get_data(as_text=True)
    # price 900.000, material 50.000 → profit 850.000 split 40/20/40
    assert "Rp 850.000" in html and "Rp 340.000" in html and "Rp 170.000" in html
    assert "(40%)" in html and "(20%)" in html


def test_availability_wording(client):
    small_shop()
    assert ">Habis<" in client.get("/produk/tas-rotan-bundar").get_data(as_text=True)
    assert ">Tinggal 1<" in client.get("/produk/selendang-batik-parang").get_data(as_text=True)


def test_product_without_photo_has_placeholder(client):
    small_shop()
    html = client.get("/produk/tas-rotan-bundar").get_data(as_text=True)
    assert "/static/img/no-photo.svg" in html


def test_maker_only_with_consent(client, app):
    from factories import make_product

    from shop.extensions import db

    make_product(slug="a", maker_name="Budi", maker_consent=True)
    make_product(slug="b", maker_name="Siti", maker_consent=False)
    db.session.commit()
    assert "Budi" in client.get("/produk/a").get_data(as_text=True)
    assert "Siti" not in client.get("/produk/b").get_data(as_text=True)


def test_jsonld_product_with_offer(client):
    small_shop()
    html = client.get("/produk/kain-batik-tulis-kawung").get_data(as_text=True)
    data = json.loads(LD.search(html).group(1))
    assert data["@type"] == "Product"
    assert data["name"] == "Kain Batik Tulis Kawung"
    assert data["offers"]["priceCurrency"] == "IDR"
    assert data["offers"]["price"] == "450000"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["image"][0].startswith("http://shop.test/media/")
    sold_out = client.get("/produk/tas-rotan-bundar").get_data(as_text=True)
    assert json.loads(LD.search(sold_out).group(1))["offers"]["availability"].endswith("OutOfStock")


def test_jsonld_cannot_close_the_script(client):
    from factories import make_product

    from shop.extensions import db

    make_product(slug="x", name="Evil </script><script>alert(1)</script>")
    db.session.commit()
    html = client.get("/produk/x").get_data(as_text=True)
    body = LD.search(html).group(1)
    assert "</script" not in body and "<" not in body
    assert json.loads(body)["name"] == "Evil </script><script>alert(1)</script>"


def test_seo_tags(client):
    small_shop()
    html = client.get("/produk/kain-batik-tulis-kawung").get_data(as_text=True)
    assert (
        "<title>Kain Batik Tulis Kawung — Lapas Kelas IIA Banyuwangi · Karya Binaan</title>" in html
    )
    assert '<link rel="canonical" href="http://shop.test/produk/kain-batik-tulis-kawung">' in html
    assert '<meta property="og:image" content="http://shop.test/media/' in html
    assert '<meta name="description" content="' in html


def test_unknown_draft_and_archived_products_are_404(client):
    small_shop()
    assert client.get("/produk/tidak-ada").status_code == 404
    draft = client.get("/produk/batik-draf")
    assert draft.status_code == 404
    assert "Batik Draf" not in draft.get_data(as_text=True)
    archived = client.get("/produk/batik-lama")
    assert archived.status_code == 404
    assert "Tidak tersedia lagi" in archived.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in client.get("/fasilitas/tidak-ada").get_data(as_text=True)
    assert client.get("/fasilitas/tidak-ada").status_code == 404


def test_facility_page(client):
    small_shop()
    html = client.get("/fasilitas/lapas-banyuwangi").get_data(as_text=True)
    assert "<h1>Lapas Kelas IIA Banyuwangi</h1>" in html
    assert "Bengkel batik tulis sejak 2015." in html
    assert 'href="https://wa.me/6281234567890"' in html
    assert "Kain Batik Tulis Kawung" in html and "Batik Draf" not in html
    assert "Tas Rotan Bundar" not in html


def test_facilities_index_grouped_by_province(client):
    small_shop()
    html = client.get("/fasilitas").get_data(as_text=True)
    assert html.index(">Bali<") < html.index(">Jawa Timur<")
    assert "Lapas Kelas IIA Kerobokan" in html
    assert 'aria-current="page"' in html


def test_sitemap(client):
    small_shop()
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.data)
    locs = [el.text for el in root.findall("s:url/s:loc", ns)]
    assert "http://shop.test/" in locs and "http://shop.test/produk" in locs
    assert "http://shop.test/produk/kain-batik-tulis-kawung" in locs
    assert "http://shop.test/fasilitas/lapas-kerobokan" in locs
    assert "http://shop.test/produk/batik-draf" not in locs
    assert "http://shop.test/produk/batik-lama" not in locs
    assert all(len(el.text) == 10 for el in root.findall("s:url/s:lastmod", ns))


def test_robots_points_to_the_sitemap(client):
    assert "Sitemap: http://shop.test/sitemap.xml" in client.get("/robots.txt").get_data(
        as_text=True
    )


def test_language_default_accept_language_and_cookie(client):
    small_shop()
    html = client.get("/produk").get_data(as_text=True)
    assert '<html lang="id">' in html and ">Semua produk</h1>" in html

    en = client.get("/produk", headers={"Accept-Language": "en-US,en;q=0.9"})
    html = en.get_data(as_text=True)
    assert '<html lang="en">' in html and ">All products</h1>" in html
    assert "Sold out" in html and "Hand-drawn Batik" in html
    assert {"Accept-Language", "Cookie"} <= set(en.vary)

    switch = client.get("/lang/en?next=/produk/tas-rotan-bundar")
    assert switch.status_code == 303 and switch.location.endswith("/produk/tas-rotan-bundar")
    html = client.get("/produk/tas-rotan-bundar").get_data(as_text=True)
    assert '<html lang="en">' in html and "Where your Rp 250.000 goes" in html
    client.get("/lang/id")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_a_new_split_shows_on_the_next_product_page_with_every_cache_on(app, client, page_cache_on):
    from shop.catalog.models import Product
    from shop.extensions import db
    from shop.facilities.models import Facility
    from shop.facilities.services import Split, jakarta_date, set_split
    from shop.sqltypes import utcnow

    small_shop()
    app.config["CATALOG_FACET_TTL"] = 60
    try:
        before = client.get("/produk/kain-tenun-ikat").get_data(as_text=True)
        assert "(40%)" in before and "Rp 340.000" in before
        facility_page = client.get("/fasilitas/lapas-kerobokan").get_data(as_text=True)
        assert "40% pembuat · 20% PNBP · 40% modal" in facility_page
        product = db.session.scalar(db.select(Product).filter_by(slug="kain-tenun-ikat"))
        facility = db.session.get(Facility, product.facility_id)
        set_split("admin@test", facility, Split(60, 10, 30), jakarta_date(utcnow()))
        db.session.commit()
        after = client.get("/produk/kain-tenun-ikat").get_data(as_text=True)
        # profit 850.000 split 60/10/30
        assert "(60%)" in after and "Rp 510.000" in after and "Rp 85.000" in after
        facility_page = client.get("/fasilitas/lapas-kerobokan").get_data(as_text=True)
        assert "60% pembuat · 10% PNBP · 30% modal" in facility_page
    finally:
        app.config["CATALOG_FACET_TTL"] = 0
