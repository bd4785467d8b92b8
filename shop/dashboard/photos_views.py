"""Photos of a product: upload several at once, describe, reorder, choose main, delete.

They live on the product edit page (``dashboard/_photos.html``); these routes take the
forms and go back to it. A request larger than ``MAX_CONTENT_LENGTH`` answers 413 with a
page that says why (see :func:`too_large`).
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.catalog import product_services as services
from shop.dashboard import bp
from shop.dashboard import photos as photo_services
from shop.dashboard.forms import PhotoForm
from shop.media.pipeline import DEFAULT_MAX_UPLOAD_MB
from shop.uow import unit_of_work


def _product_or_404(product_id: int):
    product = services.get_product(staff_facility_id(), product_id)
    if product is None:
        abort(404)
    return product


def _back(product_id: int):
    url = url_for("dashboard.product_edit", product_id=product_id) + "#photos"
    return redirect(url, code=303)


@bp.post("/produk/<id:product_id>/foto")
@staff_required
def product_photos_upload(product_id: int):
    product = _product_or_404(product_id)
    files = [f for f in request.files.getlist("photos") if f and (f.filename or f.content_length)]
    if not files:
        flash(_("Choose one or more photos to upload."), "error")
        return _back(product.id)
    limits = photo_services.UploadLimits.from_config(current_app.config)
    prepared = photo_services.prepare_uploads(product.id, [(f.filename, f) for f in files], limits)
    with unit_of_work():
        results = photo_services.attach_uploads(
            product.id, prepared, actor=current_user, facility_id=product.facility_id
        )
    for result in results:
        if result.accepted:
            flash(_("Added: %(name)s", name=result.filename), "success")
        else:
            flash(
                _("Refused: %(name)s — %(reason)s", name=result.filename, reason=result.reason),
                "error",
            )
    if _wants_json():
        # dashboard.js sends one file per request; it shows the progress and then loads
        # the edit page, where the messages above are shown as for the plain form.
        return jsonify(
            results=[
                {"name": r.filename, "accepted": r.accepted, "reason": r.reason} for r in results
            ]
        )
    return _back(product.id)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/produk/<id:product_id>/foto/<id:photo_id>")
@staff_required
def product_photo(product_id: int, photo_id: int):
    product = _product_or_404(product_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        flash(_("The description is too long (300 characters at most)."), "error")
        return _back(product.id)
    action = request.form.get("action") or form.action.data or "save"
    alt_text = form.alt_text.data if "alt_text" in request.form else None
    try:
        with unit_of_work():
            done = photo_services.photo_action(
                product.id,
                photo_id,
                action,
                alt_text,
                actor=current_user,
                facility_id=product.facility_id,
            )
    except LookupError:
        abort(404)
    except ValueError:
        flash(_("Choose what to do with the photo."), "error")
        return _back(product.id)
    messages = {
        "saved": _("Photo description saved."),
        "moved": _("Photo moved."),
        "main": _("Main photo chosen."),
        "deleted": _("Photo deleted."),
        "unchanged": _("Nothing changed."),
    }
    flash(messages[done], "success" if done != "unchanged" else "info")
    return _back(product.id)


@bp.app_errorhandler(413)
def too_large(_error):
    """The whole request was over ``MAX_CONTENT_LENGTH``: say so, with the limits."""
    limit_mb = current_app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
    size = request.content_length
    return (
        render_template(
            "errors/413.html",
            limit_mb=limit_mb,
            size_mb=f"{size / (1024 * 1024):.0f}" if size else None,
            file_limit_mb=current_app.config.get("MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB),
            back=request.referrer if _same_site(request.referrer) else None,
        ),
        413,
    )


def _same_site(url: str | None) -> bool:
    from urllib.parse import urlsplit

    if not url:
        return False
    return urlsplit(url).netloc in ("", request.host)
