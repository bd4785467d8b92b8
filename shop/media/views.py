"""Serving stored photo variants (through the storage, so any backend works)."""

from flask import abort, send_file

from shop.media import bp
from shop.media.storage import InvalidName, check_name, content_type_for, get_storage

ONE_YEAR = 31536000


@bp.get("/media/<name>")
def photo(name: str):
    try:
        check_name(name)
    except InvalidName:
        abort(404)
    storage = get_storage()
    path = storage.local_path(name)
    try:
        source = str(path) if path is not None else storage.open(name)
        response = send_file(
            source,
            mimetype=content_type_for(name),
            etag=name,  # the name is a content hash: same name, same bytes
            conditional=True,
            max_age=ONE_YEAR,
        )
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
