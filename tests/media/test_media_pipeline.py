"""The photo pipeline against hostile, broken and awkward files made right here."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms

from shop.media.pipeline import (
    PhotoRejected,
    process_image,
    process_upload,
    read_upload,
)

SECRET = "SECRET-PHONE-MODEL-XYZ"


@pytest.fixture(autouse=True)
def english(app):
    """Refusal messages in English (the shop's default language is Indonesian)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _jpeg(size=(1200, 900), colour=(200, 120, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _png_with_declared_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _exif_gps_rotated(size=(2000, 1000)) -> bytes:
    """Stored landscape, left half red / right half blue, EXIF orientation 6 + GPS."""
    w, h = size
    im = Image.new("RGB", size, (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, w // 2, h))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = SECRET
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 10.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 49.0, 12.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    im.save(
        out,
        "JPEG",
        quality=92,
        exif=exif,
        icc_profile=icc,
        comment=SECRET.encode(),
        xmp=f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{SECRET}</x:xmpmeta>'.encode(),
    )
    return out.getvalue()


def _reason(data) -> str:
    with pytest.raises(PhotoRejected) as caught:
        process_upload(data)
    return str(caught.value)


# --- refusals -------------------------------------------------------------------------


def test_zero_byte_file_is_not_an_image():
    assert _reason(b"").startswith("not an image")


def test_svg_is_not_an_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    assert _reason(svg).startswith("not an image")


def test_html_renamed_jpg_is_not_an_image():
    html = io.BytesIO(b"<!doctype html><script>alert(document.cookie)</script>")
    html.name = "photo.jpg"
    assert _reason(html).startswith("not an image")


def test_gif_js_polyglot_is_refused():
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, "GIF")
    polyglot = b"GIF89a/*" + gif.getvalue()[8:] + b"*/=1;alert(document.domain);"
    with Image.open(io.BytesIO(polyglot)) as check:  # Pillow itself reads it as a GIF
        assert check.format == "GIF"
    assert _reason(polyglot).startswith("not an image")
    assert _reason(gif.getvalue()).startswith("not an image")


def test_truncated_jpeg_is_damaged():
    data = _jpeg((800, 600))
    assert _reason(data[: len(data) // 2]) == "the image file is damaged or incomplete"


def test_png_with_huge_declared_size_is_refused_before_decoding():
    assert _reason(_png_with_declared_size(100_000, 100_000)) == (
        "image is 10000 megapixels, limit 40"
    )


def test_png_in_the_bomb_warning_band_is_refused():
    # 48 MP: over the limit, under Pillow's hard error (2x the limit): the warning counts.
    assert _reason(_png_with_declared_size(8000, 6000)) == "image is 48 megapixels, limit 40"


def test_real_decompression_bomb_is_refused():
    """A 100-megapixel PNG of one colour compresses to a few hundred kilobytes."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    data = out.getvalue()
    assert len(data) < 1_000_000
    assert _reason(data) == "image is 100 megapixels, limit 40"


def test_sixty_megabyte_upload_is_refused_by_size_without_reading_it():
    stream = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (60 * 1024 * 1024))
    assert _reason(stream) == "too large: 60 MB, limit 15 MB"
    assert stream.tell() == 0  # refused from the declared size, nothing read


def test_sixty_megabyte_bytes_are_refused_by_size():
    with pytest.raises(PhotoRejected, match=r"too large: 60 MB, limit 15 MB"):
        read_upload(b"\x00" * (60 * 1024 * 1024), 15)


def test_unseekable_oversized_stream_is_refused_after_the_limit():
    class Pipe(io.RawIOBase):
        def __init__(self):
            self.left = 20 * 1024 * 1024

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            n = min(len(buffer), self.left)
            buffer[:n] = b"\x00" * n
            self.left -= n
            return n

    with pytest.raises(PhotoRejected, match="too large: more than 15 MB"):
        read_upload(io.BufferedReader(Pipe()), 15)


# --- accepted and cleaned -------------------------------------------------------------


def test_exif_gps_and_rotation_are_cleaned_and_applied():
    result = process_image(_exif_gps_rotated((2000, 1000)))
    assert (result.width, result.height) == (800, 1600)  # portrait after orientation 6
    assert result.widths == [400, 800]  # 1600 would be an upscale
    assert sorted(result.files) == sorted(
        f"{result.content_hash}-{w}.{ext}" for w in (400, 800) for ext in ("webp", "jpg")
    )
    for name, data in result.files.items():
        assert SECRET.encode() not in data
        assert b"Exif" not in data
        assert b"xmpmeta" not in data
        assert b"ICC_PROFILE" not in data
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == ("WEBP" if name.endswith(".webp") else "JPEG")
            assert not im.getexif()
            assert not {"exif", "xmp", "icc_profile", "comment"} & set(im.info)
            w = int(name.rsplit("-", 1)[1].split(".")[0])
            assert im.size == (w, w * 2)
            rgb = im.convert("RGB")
            top = rgb.getpixel((w // 2, w // 2))
            bottom = rgb.getpixel((w // 2, w * 2 - w // 2))
            assert top[0] > 200 and top[2] < 60, top  # stored left (red) is now on top
            assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_large_jpeg_gets_three_widths_and_no_upscale():
    result = process_image(_jpeg((4000, 3000)))
    assert result.widths == [400, 800, 1600]
    assert (result.width, result.height) == (1600, 1200)
    with Image.open(io.BytesIO(result.files[f"{result.content_hash}-400.jpg"])) as im:
        assert im.size == (400, 300)


def test_large_rotated_jpeg_is_decoded_small_and_turned_before_resizing():
    """4800×3200 stored, orientation 6: the decoder scales by 1/2 (``draft``), sized by
    the width after turning, so every variant is portrait with the stored left on top."""
    data = _exif_gps_rotated((4800, 3200))
    result = process_image(data)
    assert (result.width, result.height) == (1600, 2400)
    assert result.widths == [400, 800, 1600]
    for name, body in result.files.items():
        assert SECRET.encode() not in body and b"Exif" not in body
        w = int(name.rsplit("-", 1)[1].split(".")[0])
        with Image.open(io.BytesIO(body)) as im:
            assert im.size == (w, w * 3 // 2)
            rgb = im.convert("RGB")
            top = rgb.getpixel((w // 2, w // 4))
            bottom = rgb.getpixel((w // 2, w * 3 // 2 - w // 4))
        assert top[0] > 200 and top[2] < 60, (name, top)
        assert bottom[2] > 200 and bottom[0] < 60, (name, bottom)


def test_encoding_on_threads_gives_the_same_files_as_one_thread(monkeypatch):
    from shop.media import pipeline

    data = _exif_gps_rotated((4800, 3200))
    threaded = process_image(data)
    monkeypatch.setattr(pipeline, "ENCODE_THREADS", 1)
    single = process_image(data)
    assert threaded.content_hash == single.content_hash
    assert threaded.files == single.files


def test_odd_sizes_are_resized_to_the_rounded_height():
    result = process_image(_jpeg((3001, 2001)))
    for width, height in ((1600, 1067), (800, 533), (400, 267)):
        with Image.open(io.BytesIO(result.files[f"{result.content_hash}-{width}.jpg"])) as im:
            assert im.size == (width, height)


def test_small_image_keeps_one_variant_at_its_own_width():
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 200, 30)).save(out, "WEBP")
    result = process_image(out.getvalue())
    assert result.widths == [120]
    assert set(result.files) == {
        f"{result.content_hash}-120.webp",
        f"{result.content_hash}-120.jpg",
    }


def test_transparent_png_is_flattened_on_white():
    im = Image.new("RGBA", (500, 500), (0, 0, 0, 0))
    im.paste((0, 128, 0, 255), (0, 0, 250, 500))
    out = io.BytesIO()
    im.save(out, "PNG")
    result = process_image(out.getvalue())
    with Image.open(io.BytesIO(result.files[f"{result.content_hash}-400.jpg"])) as variant:
        assert variant.mode == "RGB"
        assert min(variant.getpixel((390, 200))) > 240  # transparent became white
        assert variant.getpixel((50, 200))[1] > 100


@pytest.mark.parametrize("mode", ["CMYK", "L", "P", "I;16"])
def test_unusual_modes_are_accepted(mode):
    im = Image.new("RGB", (640, 480), (90, 60, 30)).convert(mode)
    out = io.BytesIO()
    im.save(out, "JPEG" if mode in ("CMYK", "L") else "PNG")
    result = process_image(out.getvalue())
    assert result.widths == [400]


def test_same_pixels_give_the_same_hash_whatever_the_metadata():
    plain = _jpeg((900, 600))
    tagged_exif = Image.Exif()
    tagged_exif[ExifTags.Base.Model] = SECRET
    tagged = io.BytesIO()
    Image.open(io.BytesIO(plain)).save(tagged, "PNG", exif=tagged_exif)
    other = _jpeg((900, 600), colour=(10, 10, 10))
    assert process_image(plain).content_hash == process_image(plain).content_hash
    assert process_image(other).content_hash != process_image(plain).content_hash


def test_refusal_is_translated_to_indonesian(app):
    with app.test_request_context(headers={"Accept-Language": "id-ID,id;q=0.9"}):
        with pytest.raises(PhotoRejected) as caught:
            process_upload(b"not an image at all")
        assert str(caught.value) == "bukan gambar: unggah foto JPEG, PNG, atau WebP"
        with pytest.raises(PhotoRejected) as caught:
            read_upload(b"\x00" * (52 * 1024 * 1024), 15)
        assert str(caught.value) == "terlalu besar: 52 MB, batas 15 MB"
