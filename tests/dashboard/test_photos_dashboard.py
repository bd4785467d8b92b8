"""Photos through the dashboard: several files at once via the real pipeline, hostile
files refused one by one with their reason, card actions, publish rule, 413 page."""

from __future__ import annotations

import io

import pytest
from dash_data import noisy_jpeg, photo_row
from factories import make_category, make_facility, make_product
from media.test_media_pipeline import _exif_gps_rotated, _png_with_declared_size
from PIL import Image
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.extensions import db
from shop.media.models import ProductPhoto
from shop.media.storage import get_storage

EN = {"Accept-Language": "en"}


@pytest.fixture
def setup(app):
    facility = make_facility()
    category = make_category()
    product = make_product(facility, category, status="draft", name="Tas Rotan Bundar")
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    return facility, category, product, client


def _edit_url(product) -> str:
    return f"/dasbor/produk/{product.id}"


def _upload(client, product, files):
    token = csrf_token(client, "/dasbor/produk")
    return client.post(
        f"{_edit_url(product)}/foto",
        data={"csrf_token": token, "photos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
        headers=EN,
    )


def _photos(product) -> list[ProductPhoto]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(ProductPhoto)
            .where(ProductPhoto.product_id == product.id)
            .order_by(ProductPhoto.position)
        )
    )


def test_good_files_are_kept_and_each_bad_one_says_why(setup):
    *_, product, client = setup
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    truncated = noisy_jpeg((800, 600), seed=3)
    response = _upload(
        client,
        product,
        [
            ("satu.jpg", noisy_jpeg(seed=1)),
            ("gambar.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
            ("halaman.jpg", html),
            ("kosong.jpg", b""),
            ("rusak.jpg", truncated[: len(truncated) // 2]),
            ("bom.png", _png_with_declared_size(30_000, 30_000)),
            ("dua.png", _png(seed=2)),
        ],
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Added: satu.jpg" in page and "Added: dua.png" in page
    assert "Refused: gambar.svg — not an image" in page
    assert "Refused: halaman.jpg — not an image" in page
    assert "Refused: kosong.jpg — not an image" in page
    assert "Refused: rusak.jpg — the image file is damaged or incomplete" in page
    assert "Refused: bom.png — image is 900 megapixels, limit 40" in page
    photos = _photos(product)
    assert len(photos) == 2 and [p.position for p in photos] == [0, 1]
    storage = get_storage()
    for photo in photos:
        for width in photo.widths:
            assert storage.exists(photo.variant_name(width, "webp"))
            assert storage.exists(photo.variant_name(width, "jpeg"))
    assert "<script>alert" not in page  # file names and reasons are escaped text


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(noisy_jpeg((900, 900), seed=seed))).save(out, "PNG")
    return out.getvalue()


def test_gps_and_rotation_are_cleaned_through_the_dashboard(setup):
    *_, product, client = setup
    _upload(client, product, [("hp.jpg", _exif_gps_rotated())])
    (photo,) = _photos(product)
    assert (photo.width, photo.height) == (800, 1600)  # portrait: EXIF rotation applied
    with get_storage().open(photo.variant_name(800, "jpeg")) as stored:
        data = stored.read()
    assert b"SECRET-PHONE-MODEL-XYZ" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (800, 1600)
        assert not im.getexif() and "exif" not in im.info


def test_upload_without_files_says_so(setup):
    *_, product, client = setup
    response = client.post(
        f"{_edit_url(product)}/foto",
        data={"csrf_token": csrf_token(client, _edit_url(product))},
        headers=EN,
        follow_redirects=True,
    )
    assert "Choose one or more photos to upload." in response.get_data(as_text=True)


def test_request_over_the_limit_gets_a_page_that_says_why(setup, app, monkeypatch):
    *_, product, client = setup
    token = csrf_token(client, _edit_url(product))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    response = client.post(
        f"{_edit_url(product)}/foto",
        data={"csrf_token": token, "photos": [(io.BytesIO(b"x" * 3 * 1024 * 1024), "big.jpg")]},
        content_type="multipart/form-data",
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Upload too large" in body and "at most 1 MB in all" in body
    assert "What you sent was 3 MB" in body
    indonesian = client.post(
        f"{_edit_url(product)}/foto",
        data={"csrf_token": token, "photos": [(io.BytesIO(b"x" * 2 * 1024 * 1024), "b.jpg")]},
        content_type="multipart/form-data",
    )
    assert "Unggahan terlalu besar" in indonesian.get_data(as_text=True)
    assert _photos(product) == []


def _act(client, product, photo, action, alt=None):
    data = {"csrf_token": csrf_token(client, "/dasbor/produk"), "action": action}
    if alt is not None:
        data["alt_text"] = alt
    return client.post(f"{_edit_url(product)}/foto/{photo.id}", data=data, headers=EN)


def test_alt_text_order_main_and_delete(setup):
    *_, product, client = setup
    a, b, c = (photo_row(product, alt="", position=i) for i in range(3))
    db.session.commit()
    assert _act(client, product, b, "save", "  Tas rotan   dari depan ").status_code == 303
    assert [p.alt_text for p in _photos(product)] == ["", "Tas rotan dari depan", ""]
    _act(client, product, c, "up", "Anyaman dekat")  # the typed alt text is kept too
    assert [p.id for p in _photos(product)] == [a.id, c.id, b.id]
    assert _photos(product)[1].alt_text == "Anyaman dekat"
    _act(client, product, a, "down")
    assert [p.id for p in _photos(product)] == [c.id, a.id, b.id]
    _act(client, product, b, "main")
    assert [p.id for p in _photos(product)] == [b.id, c.id, a.id]
    _act(client, product, a, "delete")
    assert [(p.id, p.position) for p in _photos(product)] == [(b.id, 0), (c.id, 1)]
    response = _act(client, product, c, "explode")
    assert response.status_code == 303  # unknown action: nothing done, told so
    assert len(_photos(product)) == 2


def test_photo_of_another_product_or_facility_is_404(setup):
    facility, category, product, client = setup
    sibling = make_product(facility, category)
    foreign = make_product(make_facility(), category)
    sibling_photo = photo_row(sibling)
    foreign_photo = photo_row(foreign)
    db.session.commit()
    assert _act(client, product, sibling_photo, "delete").status_code == 404
    assert _act(client, foreign, foreign_photo, "delete").status_code == 404
    response = _upload(client, foreign, [("a.jpg", noisy_jpeg())])
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(ProductPhoto, sibling_photo.id) is not None
    assert db.session.get(ProductPhoto, foreign_photo.id) is not None


def _publish(client, product):
    db.session.rollback()
    db.session.refresh(product)
    return client.post(
        f"{_edit_url(product)}/status",
        data={
            "csrf_token": csrf_token(client, _edit_url(product)),
            "target": "active",
            "version": str(product.version),
        },
        headers=EN,
        follow_redirects=True,
    )


def test_publishing_needs_a_photo_with_alt_text(setup):
    *_, product, client = setup
    page = _publish(client, product).get_data(as_text=True)
    assert "Add at least one photo." in page
    photo = photo_row(product, alt="")
    db.session.commit()
    page = _publish(client, product).get_data(as_text=True)
    assert "Describe every photo (alt text)" in page
    db.session.refresh(product)
    assert product.status == "draft"
    _act(client, product, photo, "save", "Tas rotan bundar, tampak depan")
    _publish(client, product)
    db.session.refresh(product)
    assert product.status == "active"


def test_edit_page_lists_photos_with_working_forms_without_js(setup):
    *_, product, client = setup
    photo_row(product, alt="Depan", position=0)
    photo_row(product, alt="", position=1)
    db.session.commit()
    html = client.get(_edit_url(product), headers=EN).get_data(as_text=True)
    assert 'type="file" name="photos" multiple' in html
    assert 'enctype="multipart/form-data"' in html
    assert html.count('name="action" value="up"') == 1
    assert html.count('name="action" value="down"') == 1
    assert html.count('name="action" value="delete"') == 2
    assert "Describe what the photo shows (needed to publish)." in html
    assert "<script>" not in html and 'style="' not in html
