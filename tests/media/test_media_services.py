"""Photo services (add, delete with shared files, reorder) and serving."""

from __future__ import annotations

import io

import pytest
from factories import make_product
from PIL import Image

from shop.extensions import db
from shop.media.models import ProductPhoto
from shop.media.services import (
    PhotoRejected,
    add_photo,
    delete_photo,
    reorder_photos,
    set_main_photo,
    update_alt_text,
)
from shop.media.storage import LocalStorage, S3Storage, get_storage


def _jpeg(colour=(180, 90, 30), size=(1000, 750)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _names(photo: ProductPhoto) -> list[str]:
    return [photo.variant_name(w, fmt) for w in photo.widths for fmt in ("webp", "jpeg")]


def test_add_photo_stores_variants_and_appends(app):
    product = make_product()
    first = add_photo(product.id, _jpeg(), "Kain batik dibentangkan")
    second = add_photo(product.id, io.BytesIO(_jpeg((20, 40, 120))), "Detail motif")
    db.session.commit()
    assert (first.position, second.position) == (0, 1)
    assert first.widths == [400, 800]
    assert first.alt_text == "Kain batik dibentangkan"
    storage = get_storage()
    for name in _names(first) + _names(second):
        assert storage.exists(name), name
    assert first.variant_name(800, "jpeg").endswith("-800.jpg")


def test_add_photo_refuses_and_stores_nothing(app, tmp_path):
    product = make_product()
    storage = LocalStorage(tmp_path)
    with pytest.raises(PhotoRejected):
        add_photo(product.id, b"<svg/>", "x", storage=storage)
    assert list(tmp_path.iterdir()) == []
    assert db.session.scalar(db.select(db.func.count(ProductPhoto.id))) == 0


def test_add_photo_unknown_product():
    with pytest.raises(LookupError):
        add_photo(999_999, _jpeg(), "x")


def test_add_photo_respects_max_upload_mb(app):
    """Outside a request the message is in the default language, Indonesian."""
    product = make_product()
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        big = io.BytesIO()
        Image.effect_noise((1200, 1200), 80).convert("RGB").save(big, "PNG")
        assert big.tell() > 1024 * 1024
        with pytest.raises(PhotoRejected, match="batas 1 MB"):
            add_photo(product.id, big.getvalue(), "x")
    finally:
        app.config["MAX_UPLOAD_MB"] = 15


def test_shared_files_survive_until_the_last_photo_goes(app):
    storage = get_storage()
    product = make_product()
    other = make_product()
    a = add_photo(product.id, _jpeg((1, 2, 3)), "a")
    b = add_photo(other.id, _jpeg((1, 2, 3)), "b")
    db.session.commit()
    assert a.content_hash == b.content_hash
    names = _names(a)

    delete_photo(product.id, a.id)
    db.session.commit()
    assert all(storage.exists(n) for n in names)  # b still uses them

    delete_photo(other.id, b.id)
    assert all(storage.exists(n) for n in names)  # not before the commit
    db.session.commit()
    assert not any(storage.exists(n) for n in names)


def test_rolled_back_delete_keeps_files(app):
    storage = get_storage()
    product = make_product()
    photo = add_photo(product.id, _jpeg((9, 9, 9)), "a")
    db.session.commit()
    photo_id, names = photo.id, _names(photo)
    delete_photo(product.id, photo_id)
    db.session.rollback()
    db.session.commit()
    assert db.session.get(ProductPhoto, photo_id) is not None
    assert all(storage.exists(n) for n in names)


def test_delete_renumbers_and_checks_the_product(app):
    product = make_product()
    other = make_product()
    photos = [add_photo(product.id, _jpeg((i * 40, 0, 0)), str(i)) for i in range(3)]
    with pytest.raises(LookupError):
        delete_photo(other.id, photos[0].id)
    delete_photo(product.id, photos[0].id)
    db.session.commit()
    assert [(p.alt_text, p.position) for p in photos[1:]] == [("1", 0), ("2", 1)]


def test_reorder_and_main_photo(app):
    product = make_product()
    p0, p1, p2 = (add_photo(product.id, _jpeg((0, i * 50, 0)), str(i)) for i in range(3))
    reorder_photos(product.id, [p2.id, p0.id, p1.id])
    assert [p0.position, p1.position, p2.position] == [1, 2, 0]
    set_main_photo(product.id, p1.id)
    assert [p1.position, p2.position, p0.position] == [0, 1, 2]
    with pytest.raises(ValueError):
        reorder_photos(product.id, [p0.id, p1.id])  # one missing
    with pytest.raises(ValueError):
        reorder_photos(product.id, [p0.id, p1.id, p2.id, p2.id])
    stranger = add_photo(make_product().id, _jpeg((1, 1, 1)), "x")
    with pytest.raises(ValueError):
        reorder_photos(product.id, [p0.id, p1.id, stranger.id])
    assert update_alt_text(product.id, p0.id, "  Tas rotan  ").alt_text == "Tas rotan"


# --- serving --------------------------------------------------------------------------


def test_photo_is_served_with_type_nosniff_and_long_cache(app, client):
    product = make_product()
    photo = add_photo(product.id, _jpeg((30, 60, 90)), "x")
    db.session.commit()
    for fmt, mimetype in (("webp", "image/webp"), ("jpeg", "image/jpeg")):
        name = photo.variant_name(400, fmt)
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with get_storage().open(name) as stored:
            assert response.data == stored.read()
        again = client.get(f"/media/{name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


@pytest.mark.parametrize(
    "name",
    [
        "0123456789abcdef0123456789abcdef-400.webp",  # valid pattern, no such file
        "0123456789abcdef0123456789abcdef-400.gif",
        "0123456789ABCDEF0123456789abcdef-400.jpg",
        "..%2F..%2Fetc%2Fpasswd",
        "secret_key",
        "x-400.jpg",
    ],
)
def test_unknown_or_invalid_names_are_404(client, name):
    assert client.get(f"/media/{name}").status_code == 404


def test_media_url_for_keeps_its_endpoint(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("media.photo", name="abc-400.webp") == "/media/abc-400.webp"


# --- S3-compatible storage (client faked at its boundary) ------------------------------


class _ClientError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class FakeS3:
    def __init__(self):
        self.objects: dict[tuple[str, str], dict] = {}

    def put_object(self, Bucket, Key, Body, ContentType, CacheControl):
        self.objects[(Bucket, Key)] = {"Body": Body, "ContentType": ContentType}

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise _ClientError("NoSuchKey")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)]["Body"])}

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise _ClientError("404")
        return {}

    def delete_object(self, Bucket, Key):
        self.objects.pop((Bucket, Key), None)


def test_s3_storage_behind_the_same_interface(app, client):
    fake = FakeS3()
    storage = S3Storage("photos", prefix="shop/", client=fake)
    product = make_product()
    photo = add_photo(product.id, _jpeg((5, 80, 5)), "x", storage=storage)
    db.session.commit()
    name = photo.variant_name(800, "webp")
    assert fake.objects[("photos", f"shop/{name}")]["ContentType"] == "image/webp"
    assert storage.exists(name) and not storage.exists("0" * 32 + "-400.jpg")
    with pytest.raises(FileNotFoundError):
        storage.open("0" * 32 + "-400.jpg")

    previous = app.extensions.get("photo_storage")
    app.extensions["photo_storage"] = storage
    try:
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response.data == fake.objects[("photos", f"shop/{name}")]["Body"]
        assert client.get("/media/" + "0" * 32 + "-400.jpg").status_code == 404
    finally:
        app.extensions["photo_storage"] = previous
    storage.delete(name)
    assert not storage.exists(name)
