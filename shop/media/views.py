"""Serving stored photo variants."""

from flask import current_app, send_from_directory

from shop.media import bp


@bp.get("/media/<name>")
def photo(name: str):
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
