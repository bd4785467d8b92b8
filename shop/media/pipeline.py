"""The photo pipeline: untrusted upload bytes in, clean WebP and JPEG variants out.

Steps, in order (each refusal raises :class:`PhotoRejected` with a user-facing reason):

1. size limit per file (``MAX_UPLOAD_MB``) — checked before any decoding;
2. the header is parsed by Pillow's JPEG, PNG and WebP plugins only (whatever the
   filename says), and the declared pixel count is checked against ``MAX_PIXELS``
   before a single pixel is decoded (Pillow's bomb warning counts as an error too);
3. decode — JPEG through ``draft()`` so the decoder scales down by 1/2, 1/4 or 1/8 for
   free; other formats are shrunk with ``reduce()`` right after decoding;
4. EXIF orientation applied (the same transposition as ``ImageOps.exif_transpose``),
   colours converted to sRGB when an ICC profile is embedded, transparency flattened
   on white;
5. all metadata dropped: every variant is encoded from pixels alone (no EXIF, GPS, XMP,
   ICC profile or comments);
6. variants at 1600/800/400 px wide (never upscaled, each made from the next larger
   one: bicubic, or 2×2 averages for an exact halving), as WebP and JPEG, named
   ``{hash}-{width}.{webp|jpg}`` where ``hash`` is a digest of the cleaned pixels; the
   encodings run on two threads beside the resizing. The original is not kept.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO

from flask_babel import lazy_gettext
from PIL import Image, ImageCms

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000
WIDTHS = (1600, 800, 400)
DEFAULT_MAX_UPLOAD_MB = 15
JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 2  # 4+ costs ~3x the time at 1600 px for a few per cent smaller files
HASH_BYTES = 16  # 32 hex characters in file names
ENCODE_THREADS = 2  # the six encodings run beside the resizing (see _variants)

NAME_RE = re.compile(r"^(?P<hash>[0-9a-f]{16,64})-(?P<width>[1-9][0-9]{0,4})\.(?P<ext>webp|jpg)$")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}

# Lowered from Pillow's default (~89 MP) for every decode in the process; the pipeline
# checks the declared size itself first, so this is the second line of defence.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# EXIF orientation → transposition, as in PIL.ImageOps.exif_transpose.
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(ValueError):
    """An upload the shop will not take; ``str(error)`` says why, in the user's language."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class ProcessedPhoto:
    """The result of the pipeline: pixel digest, display size and the encoded files."""

    content_hash: str
    width: int
    height: int
    widths: list[int]
    files: dict[str, bytes] = field(repr=False)

    def variant_name(self, width: int, fmt: str) -> str:
        return f"{self.content_hash}-{width}.{'jpg' if fmt == 'jpeg' else fmt}"


def _megabytes(size: int, limit_mb: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb >= limit_mb + 0.5 else f"{mb:.1f}"


def too_large(size: int | None, limit_mb: int) -> PhotoRejected:
    if size is None:
        return PhotoRejected(lazy_gettext("too large: more than %(limit)s MB", limit=limit_mb))
    return PhotoRejected(
        lazy_gettext(
            "too large: %(size)s MB, limit %(limit)s MB",
            size=_megabytes(size, limit_mb),
            limit=limit_mb,
        )
    )


def read_upload(source: bytes | IO[bytes], max_mb: int = DEFAULT_MAX_UPLOAD_MB) -> bytes:
    """The bytes of an upload (bytes, a file object or a Werkzeug ``FileStorage``),
    refused without reading more than the limit when it is too large."""
    limit = max_mb * 1024 * 1024
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > limit:
            raise too_large(len(data), max_mb)
        return data
    stream = getattr(source, "stream", source)  # FileStorage wraps a stream
    size = None
    try:
        if stream.seekable():
            start = stream.tell()
            size = stream.seek(0, io.SEEK_END) - start
            stream.seek(start)
    except (AttributeError, OSError, ValueError):
        size = None
    if size is not None and size > limit:
        raise too_large(size, max_mb)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(size, max_mb)
    return data


def _not_an_image() -> PhotoRejected:
    return PhotoRejected(lazy_gettext("not an image: upload a JPEG, PNG or WebP photo"))


def _too_many_pixels(pixels: int, max_pixels: int) -> PhotoRejected:
    return PhotoRejected(
        lazy_gettext(
            "image is %(mp)s megapixels, limit %(limit)s",
            mp=round(pixels / 1_000_000),
            limit=round(max_pixels / 1_000_000),
        )
    )


def _damaged() -> PhotoRejected:
    return PhotoRejected(lazy_gettext("the image file is damaged or incomplete"))


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Parse the header only (no pixels decoded) and check the declared size."""
    if not data:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        found = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_many_pixels(int(found.group(1)) if found else 0, max_pixels) from None
    except Image.UnidentifiedImageError:
        raise _not_an_image() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _damaged() from None
    if im.format not in ALLOWED_FORMATS:  # pragma: no cover - formats= guarantees it
        raise _not_an_image()
    width, height = im.size
    if width < 1 or height < 1:
        raise _damaged()
    if width * height > max_pixels:
        raise _too_many_pixels(width * height, max_pixels)
    return im


def declared_pixels(data: bytes) -> int | None:
    """The pixel count an upload's header declares (nothing decoded), or ``None`` when
    the header cannot be read (:func:`process_image` then says what is wrong with it).

    Decoding time grows with the pixels, so a request's work can be bounded by summing
    this before any file is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as im:
                width, height = im.size
    except Exception:  # unreadable or a bomb: process_image refuses it with the reason
        return None
    return width * height if width > 0 and height > 0 else None


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block is not worth refusing the photo for
        return 1


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(im, source, _SRGB, outputMode=out_mode) or im
    except Exception:  # an unreadable profile: keep the pixels as they are
        return im


def _flatten(im: Image.Image) -> Image.Image:
    """RGB on a white background, whatever the mode (palette, alpha, 16-bit, CMYK…)."""
    if im.mode == "RGB":
        return im
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        im = im.point(lambda v: v / 256).convert("L") if im.mode != "F" else im.convert("L")
    return im.convert("RGB")


def _variant_widths(width: int) -> list[int]:
    widths = [w for w in WIDTHS if w <= width]
    return widths or [width]


def _decode(im: Image.Image, target_w: int, orientation: int) -> Image.Image:
    """Decode the pixels, scaled down (never below ``target_w`` display width) on the way."""
    stored_w, stored_h = im.size
    display_w = stored_h if orientation in _SWAPS_AXES else stored_w
    scale = target_w / display_w
    if im.format == "JPEG" and scale < 1:
        im.draft(
            "RGB", (max(1, int(stored_w * scale + 0.999)), max(1, int(stored_h * scale + 0.999)))
        )
    im.load()
    loaded_display_w = im.height if orientation in _SWAPS_AXES else im.width
    factor = int(loaded_display_w / target_w)
    if factor >= 2:
        reduced = im.reduce(factor)
        im.close()
        im = reduced
    return im


def _encode(im: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        im.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, exif=b"", icc_profile=None)
    else:
        im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, exif=b"")
    return out.getvalue()


def process_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> ProcessedPhoto:
    """Run the whole pipeline on the bytes of one upload (size already checked)."""
    im = _open(data, max_pixels)
    orientation = _orientation(im)
    icc = im.info.get("icc_profile")
    stored_w, stored_h = im.size
    display_w, display_h = (stored_h, stored_w) if orientation in _SWAPS_AXES else im.size
    widths = _variant_widths(display_w)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = _decode(im, widths[0], orientation)
            if orientation in _ORIENTATION:
                im = im.transpose(_ORIENTATION[orientation])
            im = _flatten(_to_srgb(im, icc))
    except PhotoRejected:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(stored_w * stored_h, max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise _damaged() from None

    # Pixels only from here on: nothing of the upload's metadata travels further.
    im.info = {}
    return _variants(im, widths, display_w, display_h)


def _height(width: int, display_w: int, display_h: int) -> int:
    return max(1, round(display_h * width / display_w))


def _resized(im: Image.Image, width: int, height: int) -> Image.Image:
    """``im`` at ``width``×``height``: an exact halving by averaging 2×2 blocks
    (``reduce(2)``), anything else bicubic.

    Measured on a 12 MP photo against Lanczos from the full-size decode, the served files
    lose at most 0.2 dB PSNR to a Lanczos chain (JPEG q82 itself costs 10+ dB), for
    less than half the resampling time (bench/RESULTS.md, "Photos: Pillow vs pyvips")."""
    if im.size == (width, height):
        return im
    if im.size == (width * 2, height * 2):
        return im.reduce(2)
    return im.resize((width, height), Image.Resampling.BICUBIC, reducing_gap=2.0)


def _variants(im: Image.Image, widths: list[int], display_w: int, display_h: int) -> ProcessedPhoto:
    """Resize (each width from the next larger one) and encode every variant.

    Pillow releases the GIL while it resamples and encodes, so each encoding runs on one
    of ``ENCODE_THREADS`` threads while this thread makes the next smaller variant: the
    same bytes as one thread, in less time when a core is free. Each task gets its own
    ``Image`` (``save()`` keeps its options on the object it is called on)."""

    def submit(variant: Image.Image) -> None:
        variant.info = {}
        for fmt in ("webp", "jpeg"):
            target = variant if fmt == "webp" else variant.copy()
            encoded.append((variant.width, fmt, pool.submit(_encode, target, fmt)))

    encoded: list[tuple[int, str, Future[bytes]]] = []
    with ThreadPoolExecutor(max_workers=ENCODE_THREADS, thread_name_prefix="photo") as pool:
        largest = current = _resized(im, widths[0], _height(widths[0], display_w, display_h))
        submit(largest)
        digest = hashlib.blake2b(
            f"{largest.width}x{largest.height}:".encode() + largest.tobytes(),
            digest_size=HASH_BYTES,
        ).hexdigest()
        for width in widths[1:]:
            current = _resized(current, width, _height(width, display_w, display_h))
            submit(current)
        result = ProcessedPhoto(
            content_hash=digest,
            width=largest.width,
            height=largest.height,
            widths=sorted(widths),
            files={},
        )
        for width, fmt, future in encoded:
            result.files[result.variant_name(width, fmt)] = future.result()
    return result


def process_upload(
    source: bytes | IO[bytes],
    *,
    max_mb: int = DEFAULT_MAX_UPLOAD_MB,
    max_pixels: int = MAX_PIXELS,
) -> ProcessedPhoto:
    """Size check, then :func:`process_image`."""
    return process_image(read_upload(source, max_mb), max_pixels=max_pixels)
