"""Where photo variants live: a local folder by default, S3-compatible storage as an option.

A storage knows names and bytes only (no URLs): the app serves every photo through
``media.photo`` so a CDN can sit in front of one origin. Names are validated by the
pipeline's pattern, so a storage never sees a path.

``PHOTO_STORAGE=s3`` (environment, see shop/config.py) selects :class:`S3Storage`, set up
by ``S3_BUCKET``, ``S3_PREFIX`` (optional), ``S3_ENDPOINT_URL`` (optional, for MinIO,
R2, Spaces …) and ``S3_REGION``; credentials come the usual boto3 way
(``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or an instance role). It needs the
optional extra: ``pip install 'karya-binaan[s3]'`` (boto3).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Protocol

from flask import Flask, current_app

from shop.media.pipeline import CONTENT_TYPES, NAME_RE


class InvalidName(ValueError):
    """Not the name of a photo variant."""


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name or ""):
        raise InvalidName(name)
    return name


def content_type_for(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[-1]]


class Storage(Protocol):
    def save(self, name: str, data: bytes) -> None: ...
    def open(self, name: str) -> IO[bytes]:
        """A binary file object; ``FileNotFoundError`` when there is no such photo."""

    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None:
        """Remove the file; no error when it is already gone."""

    def local_path(self, name: str) -> Path | None:
        """A filesystem path when the storage has one (lets the server use sendfile)."""


class LocalStorage:
    """Files in one folder (``UPLOAD_DIR``); writes are atomic (temp file + rename)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, name: str) -> IO[bytes]:
        return self._path(name).open("rb")

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def local_path(self, name: str) -> Path | None:
        return self._path(name)


class S3Storage:
    """Objects in an S3-compatible bucket, so several app servers share the photos."""

    def __init__(self, bucket: str, prefix: str = "", client=None, **client_options) -> None:
        if client is None:
            try:
                import boto3
            except ImportError as error:  # pragma: no cover - depends on the install
                raise RuntimeError(
                    "PHOTO_STORAGE=s3 needs boto3: pip install 'karya-binaan[s3]'"
                ) from error
            client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    @staticmethod
    def _missing(error: Exception) -> bool:
        response = getattr(error, "response", None) or {}
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def save(self, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=content_type_for(name),
            CacheControl="public, max-age=31536000, immutable",
        )

    def open(self, name: str) -> IO[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except Exception as error:
            if self._missing(error):
                raise FileNotFoundError(name) from error
            raise
        return response["Body"]

    def exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except Exception as error:
            if self._missing(error):
                return False
            raise
        return True

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def local_path(self, name: str) -> Path | None:
        return None


def _setting(app: Flask, key: str, default: str = "") -> str:
    return str(app.config.get(key) or default)


def build_storage(app: Flask) -> Storage:
    kind = _setting(app, "PHOTO_STORAGE", "local").lower()
    if kind == "local":
        return LocalStorage(app.config["UPLOAD_DIR"])
    if kind == "s3":
        bucket = _setting(app, "S3_BUCKET")
        if not bucket:
            raise RuntimeError("PHOTO_STORAGE=s3 needs S3_BUCKET")
        return S3Storage(
            bucket,
            prefix=_setting(app, "S3_PREFIX"),
            endpoint_url=_setting(app, "S3_ENDPOINT_URL") or None,
            region_name=_setting(app, "S3_REGION") or None,
        )
    raise RuntimeError(f"unknown PHOTO_STORAGE {kind!r} (local or s3)")


def get_storage(app: Flask | None = None) -> Storage:
    """The app's photo storage, built once per app (tests may replace it in
    ``app.extensions['photo_storage']``)."""
    app = app or current_app._get_current_object()
    storage = app.extensions.get("photo_storage")
    if storage is None or (
        isinstance(storage, LocalStorage) and str(storage.root) != str(app.config["UPLOAD_DIR"])
    ):
        storage = app.extensions["photo_storage"] = build_storage(app)
    return storage
