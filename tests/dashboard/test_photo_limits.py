"""One photo upload request does a bounded amount of work.

Twenty 40-megapixel photos in one request used to outlast gunicorn's worker timeout and
were all lost with an error. Now a request decodes at most ``PHOTO_UPLOAD_MEGAPIXELS``
(read from the headers first), starts no photo after ``PHOTO_UPLOAD_SECONDS``, and
refuses the rest with the reason, so they can be sent again; with JavaScript the form
sends one photo per request (JSON answer)."""

from __future__ import annotations

import io

import pytest
from dash_data import noisy_jpeg
from factories import make_category, make_facility, make_product
from PIL import Image
from staff_helpers import csrf_token, make_user, sign_in
from test_photos_dashboard import _photos

from shop.extensions import db
from shop.media.pipeline import declared_pixels
from shop.media.storage import get_storage

EN = {"Accept-Language": "en"}
SIZE_40MP = (7744, 5163)  # 39.98 megapixels, a full-frame camera's photo


@pytest.fixture
def setup(app):
    facility = make_facility()
    product = make_product(facility, make_category(), status="draft", name="Tas Rotan Bundar")
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    return product, client


def _upload(client, product, files, headers=EN, token=None):
    token = token or csrf_token(client, "/dasbor/produk")
    return client.post(
        f"/dasbor/produk/{product.id}/foto",
        data={"csrf_token": token, "photos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
        headers=headers,
    )


def _messages(client, response) -> str:
    assert response.status_code == 303
    return client.get(response.headers["Location"], headers=EN).get_data(as_text=True)


def _big(fmt: str) -> bytes:
    """A 40-megapixel photo; PNG has no cheap scaled decode, so it is the costly kind."""
    image = Image.linear_gradient("L").resize(SIZE_40MP).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return out.getvalue()


def test_40_megapixel_photos_are_accepted_and_processed(setup):
    product, client = setup
    response = _upload(client, product, [("kamera.jpg", _big("JPEG")), ("pindai.png", _big("PNG"))])
    page = _messages(client, response)
    assert "Added: kamera.jpg" in page and "Added: pindai.png" in page
    photos = _photos(product)
    assert len(photos) == 2
    storage = get_storage()
    for photo in photos:
        assert photo.widths == [400, 800, 1600]
        assert (photo.width, photo.height) == (1600, round(1600 * 5163 / 7744))
        for width in photo.widths:
            assert storage.exists(photo.variant_name(width, "webp"))
            assert storage.exists(photo.variant_name(width, "jpeg"))


def test_twenty_40_megapixel_photos_in_one_request_keep_what_fits_and_say_why(setup, app):
    product, client = setup
    assert app.config["PHOTO_UPLOAD_MEGAPIXELS"] == 100  # the default: two of these
    big = _big("PNG")
    files = [(f"foto-{n:02d}.png", big) for n in range(1, 21)]
    page = _messages(client, _upload(client, product, files))
    assert "Added: foto-01.png" in page and "Added: foto-02.png" in page
    reason = "not processed: at most 100 megapixels per upload; upload it again"
    for n in range(3, 21):
        assert f"Refused: foto-{n:02d}.png — {reason}" in page
    assert len(_photos(product)) == 2

    # A refused photo goes through when sent again.
    page = _messages(client, _upload(client, product, [("foto-03.png", big)]))
    assert "Added: foto-03.png" in page
    assert len(_photos(product)) == 3


def test_pixel_budget_counts_what_was_decoded_and_is_set_from_config(setup, app, monkeypatch):
    product, client = setup
    monkeypatch.setitem(app.config, "PHOTO_UPLOAD_MEGAPIXELS", 1)
    files = [
        ("rusak.jpg", b"not an image"),  # refused by the pipeline, costs nothing
        ("satu.jpg", noisy_jpeg((800, 600), seed=1)),  # 0.48 MP
        ("dua.jpg", noisy_jpeg((800, 600), seed=2)),  # 0.96 MP in all
        ("tiga.jpg", noisy_jpeg((800, 600), seed=3)),  # would be 1.44 MP
        ("empat.jpg", noisy_jpeg((40, 30), seed=4)),  # still fits: 0.9612 MP
    ]
    page = _messages(client, _upload(client, product, files))
    assert "Refused: rusak.jpg — not an image" in page
    assert "Added: satu.jpg" in page and "Added: dua.jpg" in page
    assert (
        "Refused: tiga.jpg — not processed: at most 1 megapixels per upload; upload it again"
        in page
    )
    assert "Added: empat.jpg" in page
    assert len(_photos(product)) == 3


def test_no_photo_is_started_after_the_time_limit(setup, app, monkeypatch):
    product, client = setup
    monkeypatch.setitem(app.config, "PHOTO_UPLOAD_SECONDS", 0)
    files = [("satu.jpg", noisy_jpeg(seed=1)), ("dua.jpg", noisy_jpeg(seed=2))]
    page = _messages(client, _upload(client, product, files))
    # The first photo of a request is always processed; after it the time is up.
    assert "Added: satu.jpg" in page
    assert "Refused: dua.jpg — not processed: this upload ran out of time; upload it again" in page
    assert len(_photos(product)) == 1


def test_the_limits_are_told_in_indonesian(setup, app, monkeypatch):
    product, client = setup
    monkeypatch.setitem(app.config, "PHOTO_UPLOAD_MEGAPIXELS", 1)
    files = [(f"{n}.jpg", noisy_jpeg((800, 600), seed=n)) for n in (1, 2, 3)]
    response = _upload(client, product, files, headers={"Accept-Language": "id"})
    page = client.get(response.headers["Location"], headers={"Accept-Language": "id"})
    text = page.get_data(as_text=True)
    assert (
        "Ditolak: 3.jpg — tidak diproses: paling banyak 1 megapiksel per unggahan; unggah lagi"
        in text
    )


def test_one_file_per_request_answers_json_for_the_progress_script(setup):
    product, client = setup
    json_headers = {**EN, "Accept": "application/json"}
    token = csrf_token(client, "/dasbor/produk")  # as the script does: the page's token
    response = _upload(client, product, [("satu.jpg", noisy_jpeg(seed=1))], json_headers, token)
    assert response.status_code == 200
    assert response.get_json() == {
        "results": [{"name": "satu.jpg", "accepted": True, "reason": ""}]
    }
    response = _upload(client, product, [("rusak.jpg", b"junk")], json_headers, token)
    assert response.get_json()["results"] == [
        {
            "name": "rusak.jpg",
            "accepted": False,
            "reason": "not an image: upload a JPEG, PNG or WebP photo",
        }
    ]
    # The edit page the script loads afterwards shows both, as for the plain form.
    page = client.get(f"/dasbor/produk/{product.id}", headers=EN).get_data(as_text=True)
    assert "Added: satu.jpg" in page and "Refused: rusak.jpg — not an image" in page
    assert len(_photos(product)) == 1


def test_edit_page_tells_the_per_upload_limit_without_javascript(setup):
    product, client = setup
    page = client.get(f"/dasbor/produk/{product.id}", headers=EN).get_data(as_text=True)
    assert "<noscript>" in page
    assert "One upload takes up to 100 megapixels in all (about 8 phone photos)" in page
    assert "data-one-by-one" in page


def test_declared_pixels_reads_the_header_only():
    assert declared_pixels(_big("JPEG")) == 7744 * 5163
    assert declared_pixels(b"") is None
    assert declared_pixels(b"<svg/>") is None
