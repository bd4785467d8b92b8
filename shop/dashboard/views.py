"""Dashboard routes. Every view is ``staff_required`` and reaches rows through scoping."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.catalog import product_services as services
from shop.catalog.models import PRODUCT_STATUSES
from shop.dashboard import bp
from shop.dashboard.forms import ActionForm, PhotoForm, ProductForm, StatusForm
from shop.i18n import current_locale
from shop.parsing import parse_int, parse_page
from shop.uow import unit_of_work

STATUS_LABELS = {"draft": "Draft", "active": "Published", "archived": "Archived"}


def _product_or_404(product_id: int, with_photos: bool = False):
    product = services.get_product(staff_facility_id(), product_id, with_photos=with_photos)
    if product is None:
        abort(404)
    return product


def _requires_photo() -> bool:
    return bool(current_app.config.get("PUBLISH_REQUIRES_PHOTO", True))


@bp.get("/produk")
@staff_required
def products():
    status = request.args.get("status", "")
    if status not in PRODUCT_STATUSES:
        status = ""
    q = request.args.get("q", "").strip()[:100]
    page = parse_page(request.args.get("page"))
    facility_id = staff_facility_id()
    listing = services.list_products(facility_id, q=q, status=status, page=page)
    return render_template(
        "dashboard/products.html",
        listing=listing,
        q=q,
        status=status,
        counts=services.status_counts(facility_id),
    )


def _form_for(product=None) -> ProductForm:
    form = ProductForm(obj=product) if request.method == "GET" and product else ProductForm()
    form.set_categories(services.categories(), current_locale())
    return form


@bp.route("/produk/baru", methods=["GET", "POST"])
@staff_required
def product_new():
    form = _form_for()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                product = services.create_product(
                    staff_facility_id(), form.to_data(), actor=current_user
                )
        except services.ProductError as exc:
            _field_error(form, exc)
        else:
            flash(_("Product saved as a draft."), "success")
            return redirect(url_for("dashboard.product_edit", product_id=product.id), code=303)
    return render_template("dashboard/product_form.html", form=form, product=None)


def _field_error(form: ProductForm, exc: services.ProductError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/produk/<id:product_id>", methods=["GET", "POST"])
@staff_required
def product_edit(product_id: int):
    product = _product_or_404(product_id, with_photos=True)
    form = _form_for(product)
    if request.method == "GET":
        form.version.data = product.version
    changed_fields: list[str] = []
    if form.validate_on_submit():
        data = form.to_data()
        try:
            with unit_of_work():
                services.update_product(
                    product, data, _version(form.version.data), actor=current_user
                )
        except services.ProductError as exc:
            _field_error(form, exc)
        except services.StaleProduct:
            product = _product_or_404(product_id, with_photos=True)
            changed_fields = services.differences(product, data)
            form.version.data = product.version
            form.form_errors.append(
                _(
                    "Someone else saved this product while you were editing it. Your changes "
                    "are below and have NOT been saved; the fields marked differ from what is "
                    "saved now. Check them and save again to keep yours."
                )
            )
        else:
            flash(_("Product saved."), "success")
            return redirect(url_for("dashboard.product_edit", product_id=product.id), code=303)
    return render_template(
        "dashboard/product_form.html",
        form=form,
        product=product,
        changed_fields=changed_fields,
        status_form=StatusForm(version=product.version),
        transitions=services.TRANSITIONS[product.status],
        publish_problems=services.publish_problems(product, _requires_photo())
        if product.status == "draft"
        else [],
        photo_forms={photo.id: PhotoForm(formdata=None, obj=photo) for photo in product.photos},
        upload_form=ActionForm(),
    )


def _version(value) -> int:
    """The version the form was rendered with; -1 (never current) when unreadable."""
    version = parse_int(value)
    return -1 if version is None else version


@bp.post("/produk/<id:product_id>/status")
@staff_required
def product_status(product_id: int):
    product = _product_or_404(product_id, with_photos=_requires_photo())
    form = StatusForm()
    back = redirect(url_for("dashboard.product_edit", product_id=product.id), code=303)
    if not form.validate_on_submit():
        flash(_("Choose what to do with the product."), "error")
        return back
    try:
        with unit_of_work():
            product = _product_or_404(product_id, with_photos=_requires_photo())
            services.change_status(
                product,
                form.target.data,
                _version(form.version.data),
                require_photo=_requires_photo(),
                actor=current_user,
            )
    except services.StaleProduct:
        flash(_("Someone else changed this product meanwhile; check it and try again."), "error")
        return back
    except services.PublishError as exc:
        flash(_("Not published yet:") + " " + " ".join(str(p) for p in exc.problems), "error")
        return back
    except services.ProductError as exc:
        flash(str(exc.message), "error")
        return back
    messages = {
        "active": _("Published: the product is now in the public catalog."),
        "draft": _("The product is a draft again and no longer in the catalog."),
        "archived": _("Archived: the product left the catalog; its orders keep their record."),
    }
    flash(messages[product.status], "success")
    return back
