"""The ``srcset`` strings of a photo, computed once per photo and reused across requests.

A photo's variant files never change (their names are content hashes), so the strings
depend only on the photo's hash, widths and size: a small LRU cache holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class PictureSources:
    webp_srcset: str
    jpeg_srcset: str
    src: str
    width: int
    height: int


def picture_sources(photo, prefix: str, fallback: int) -> PictureSources:
    """Sources for ``photo``; ``src`` is the smallest JPEG at least ``fallback`` wide."""
    return _sources(
        photo.content_hash, tuple(sorted(photo.widths)), photo.width, photo.height, prefix, fallback
    )


@lru_cache(maxsize=8192)
def _sources(
    content_hash: str,
    widths: tuple[int, ...],
    width: int,
    height: int,
    prefix: str,
    fallback: int,
) -> PictureSources:
    def srcset(ext: str) -> str:
        return ", ".join(f"{prefix}{content_hash}-{w}.{ext} {w}w" for w in widths)

    src_width = next((w for w in widths if w >= fallback), widths[-1])
    return PictureSources(
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        src=f"{prefix}{content_hash}-{src_width}.jpg",
        width=src_width,
        height=round(height * src_width / width),
    )
