"""Catalog moderation for administrators: every facility's products (hide with a reason,
unhide) and the categories (create, rename, reorder, merge). Every view is
``@admin_required``; the rules live in :mod:`shop.catalog.moderation`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.back_office_forms import (
    CategoryForm,
    HideForm,
    MergeForm,
    MoveForm,
    int_arg,
    page_arg,
)
from shop.catalog import moderation
from shop.catalog.models import PRODUCT_STATUSES
from shop.catalog.product_services import categories
from shop.dashboard.forms import ActionForm
from shop.extensions import db
from shop.facilities.models import Facility
from shop.i18n import current_locale
from shop.uow import unit_of_work


def _facilities() -> list[Facility]:
    return list(db.session.scalars(db.select(Facility).order_by(Facility.name)))


@bp.get("/produk")
@admin_required
def products():
    args = request.args
    status = args.get("status", "")
    hidden = args.get("hidden", "")
    f = moderation.ProductFilter(
        facility_id=int_arg(args, "facility"),
        category_id=int_arg(args, "category"),
        status=status if status in PRODUCT_STATUSES else "",
        hidden=hidden if hidden in ("0", "1") else "",
        q=args.get("q", "").strip()[:100],
    )
    return render_template(
        "admin/catalog/products.html",
        f=f,
        listing=moderation.list_products(f, page_arg(args)),
        facilities=_facilities(),
        categories=categories(),
        statuses=PRODUCT_STATUSES,
        locale=current_locale(),
    )


def _render_product(product_id: int, hide_form: HideForm | None = None, status: int = 200):
    product = moderation.get_product(product_id)
    if product is None:
        abort(404)
    return render_template(
        "admin/catalog/product.html",
        product=product,
        hide_form=hide_form or HideForm(formdata=None),
        unhide_form=ActionForm(formdata=None),
        locale=current_locale(),
    ), status


@bp.get("/produk/<id:product_id>")
@admin_required
def product(product_id: int):
    return _render_product(product_id)


@bp.post("/produk/<id:product_id>/sembunyikan")
@admin_required
def product_hide(product_id: int):
    if moderation.get_product(product_id) is None:
        abort(404)
    form = HideForm()
    if not form.validate_on_submit():
        return _render_product(product_id, form, 400)
    try:
        with unit_of_work():
            moderation.hide_product(product_id, form.reason.data, current_user)
    except moderation.ModerationError as exc:
        form.reason.errors = [*form.reason.errors, exc.message]
        return _render_product(product_id, form, 400)
    flash(_("The product is hidden from the shop. Its facility sees why."), "success")
    return redirect(url_for("admin.product", product_id=product_id), code=303)


@bp.post("/produk/<id:product_id>/tampilkan")
@admin_required
def product_unhide(product_id: int):
    if moderation.get_product(product_id) is None:
        abort(404)
    back = redirect(url_for("admin.product", product_id=product_id), code=303)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            moderation.unhide_product(product_id, current_user)
    except moderation.ModerationError as exc:
        flash(str(exc.message), "error")
        return back
    flash(_("The product is no longer hidden."), "success")
    return back


# ---- categories -------------------------------------------------------------------------


def _render_categories(
    new_form: CategoryForm | None = None,
    failed: tuple[int, object] | None = None,
    status: int = 200,
):
    """The category page; ``failed`` is (category id, its form as typed) after an error."""
    locale = current_locale()
    rows = moderation.categories_with_counts()
    everything = [category for category, _n in rows]
    entries = []
    for category, count in rows:
        rename = CategoryForm(formdata=None, obj=category, prefix=f"c{category.id}")
        merge = MergeForm(formdata=None, prefix=f"m{category.id}")
        if failed and failed[0] == category.id:
            if isinstance(failed[1], CategoryForm):
                rename = failed[1]
            else:
                merge = failed[1]
        merge.set_targets(everything, category.id, locale)
        entries.append((category, count, rename, merge))
    return render_template(
        "admin/catalog/categories.html",
        entries=entries,
        new_form=new_form or CategoryForm(formdata=None, prefix="new"),
        move_form=MoveForm(formdata=None),
        locale=locale,
    ), status


@bp.route("/kategori", methods=["GET", "POST"])
@admin_required
def categories_page():
    if request.method == "GET":
        return _render_categories()
    form = CategoryForm(prefix="new")
    if not form.validate_on_submit():
        return _render_categories(new_form=form, status=400)
    try:
        with unit_of_work():
            moderation.create_category(form.name_id.data, form.name_en.data, current_user)
    except moderation.ModerationError as exc:
        getattr(form, exc.field or "name_id").errors.append(exc.message)
        return _render_categories(new_form=form, status=400)
    flash(_("Category added."), "success")
    return redirect(url_for("admin.categories_page"), code=303)


def _category_or_404(category_id: int):
    from shop.catalog.models import Category

    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    return category


@bp.post("/kategori/<id:category_id>")
@admin_required
def category_rename(category_id: int):
    _category_or_404(category_id)
    form = CategoryForm(prefix=f"c{category_id}")
    if not form.validate_on_submit():
        return _render_categories(failed=(category_id, form), status=400)
    try:
        with unit_of_work():
            moderation.rename_category(
                category_id, form.name_id.data, form.name_en.data, current_user
            )
    except moderation.ModerationError as exc:
        getattr(form, exc.field or "name_id").errors.append(exc.message)
        return _render_categories(failed=(category_id, form), status=400)
    flash(_("Category renamed."), "success")
    return redirect(url_for("admin.categories_page"), code=303)


@bp.post("/kategori/<id:category_id>/posisi")
@admin_required
def category_move(category_id: int):
    _category_or_404(category_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            moderation.move_category(category_id, form.direction.data, current_user)
    except moderation.ModerationError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Order of categories saved."), "success")
    return redirect(url_for("admin.categories_page"), code=303)


@bp.post("/kategori/<id:category_id>/gabung")
@admin_required
def category_merge(category_id: int):
    source = _category_or_404(category_id)
    form = MergeForm(prefix=f"m{category_id}")
    form.set_targets(categories(), category_id, current_locale())
    if not form.validate_on_submit():
        return _render_categories(failed=(category_id, form), status=400)
    name = source.name(current_locale())
    try:
        with unit_of_work():
            moved = moderation.merge_category(category_id, form.target.data, current_user)
    except moderation.ModerationError as exc:
        form.target.errors = [*form.target.errors, exc.message]
        return _render_categories(failed=(category_id, form), status=400)
    flash(
        _("%(name)s merged: %(n)d products moved.", name=name, n=moved),
        "success",
    )
    return redirect(url_for("admin.categories_page"), code=303)
