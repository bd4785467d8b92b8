"""Administrators' people screens: staff and administrator accounts. Every view is
``@admin_required``; the account services write the audit row of each change."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts import services as accounts
from shop.accounts.mailer import send_invite_link, send_reset_link
from shop.accounts.models import User
from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.facilities_forms import ConfirmForm
from shop.admin.people_forms import InviteForm, MoveForm
from shop.extensions import db
from shop.facilities.models import Facility
from shop.facilities.services import facility_choices
from shop.parsing import parse_id
from shop.sqltypes import MAX_ID, utcnow
from shop.uow import unit_of_work


def _user_or_404(user_id: int) -> User:
    if user_id > MAX_ID:  # beyond any integer column: no such row (and no driver error)
        abort(404)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _with_facilities(form):
    form.facility_id.choices = [("", "—"), *facility_choices()]
    return form


@bp.get("/orang")
@admin_required
def people():
    role = request.args.get("peran", "")
    return render_template(
        "admin/people/list.html", people=accounts.people(role), role=role, now=utcnow()
    )


def _invite_days() -> int:
    return current_app.config.get("ACCOUNT_INVITE_MAX_AGE", accounts.INVITE_MAX_AGE) // 86400


def _send_invite(user: User, token: str) -> None:
    link = current_app.config["SITE_URL"] + url_for("accounts.accept_invite", token=token)
    send_invite_link(user.email, link, _invite_days(), user.name)


@bp.route("/orang/baru", methods=["GET", "POST"])
@admin_required
def person_new():
    form = _with_facilities(InviteForm())
    if request.method == "GET" and parse_id(request.args.get("fasilitas")) is not None:
        form.facility_id.data = parse_id(request.args["fasilitas"])
    if form.validate_on_submit():
        facility_id = form.facility_id.data if form.role.data == "staff" else None
        try:
            with unit_of_work():
                user = accounts.invite_user(
                    current_user, form.email.data, form.role.data, facility_id, form.name.data or ""
                )
                token = accounts.make_invite_token(user, current_app.config["SECRET_KEY"])
                _send_invite(user, token)
        except accounts.AccountError:
            form.email.errors.append(_("An account with this email exists already."))
        else:
            flash(
                _(
                    "Account made. %(email)s has been emailed a link to set a password.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.person", user_id=user.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/people/new.html", form=form), status


@bp.get("/orang/<id:user_id>")
@admin_required
def person(user_id: int):
    user = _user_or_404(user_id)
    return _render_person(user)


def _render_person(user: User, move_form: MoveForm | None = None, status: int = 200):
    if move_form is None:
        move_form = _with_facilities(MoveForm(formdata=None, facility_id=user.facility_id))
    return render_template(
        "admin/people/person.html",
        person=user,
        facility=db.session.get(Facility, user.facility_id) if user.facility_id else None,
        form=ConfirmForm(formdata=None),
        move_form=move_form,
        locked=accounts.is_locked(user, utcnow()),
        is_me=user.id == current_user.id,
    ), status


def _action(user_id: int, change) -> object:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            message = change(user)
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


@bp.post("/orang/<id:user_id>/nonaktifkan")
@admin_required
def person_disable(user_id: int):
    def change(user):
        accounts.admin_set_active(current_user, user, False)
        return _("%(email)s is disabled and signed out everywhere.", email=user.email)

    return _action(user_id, change)


@bp.post("/orang/<id:user_id>/aktifkan")
@admin_required
def person_enable(user_id: int):
    def change(user):
        accounts.admin_set_active(current_user, user, True)
        return _("%(email)s can sign in again.", email=user.email)

    return _action(user_id, change)


@bp.post("/orang/<id:user_id>/buka-kunci")
@admin_required
def person_unlock(user_id: int):
    def change(user):
        accounts.unlock(current_user, user)
        return _("%(email)s is unlocked.", email=user.email)

    return _action(user_id, change)


@bp.post("/orang/<id:user_id>/atur-ulang-sandi")
@admin_required
def person_reset(user_id: int):
    """A reset link; an account that never signed in gets its invitation again instead."""

    def change(user):
        secret = current_app.config["SECRET_KEY"]
        if user.last_login_at is None:
            token = accounts.issue_invite(current_user, user, secret)
            _send_invite(user, token)
            return _("A new invitation has been emailed to %(email)s.", email=user.email)
        token = accounts.issue_reset(current_user, user, secret)
        link = current_app.config["SITE_URL"] + url_for("accounts.reset_password", token=token)
        minutes = (
            current_app.config.get("PASSWORD_RESET_MAX_AGE", accounts.RESET_TOKEN_MAX_AGE) // 60
        )
        send_reset_link(user.email, link, minutes)
        return _("A link to choose a new password has been emailed to %(email)s.", email=user.email)

    return _action(user_id, change)


@bp.post("/orang/<id:user_id>/fasilitas")
@admin_required
def person_move(user_id: int):
    user = _user_or_404(user_id)
    form = _with_facilities(MoveForm())
    if not form.validate_on_submit():
        return _render_person(user, form, 400)
    try:
        with unit_of_work():
            accounts.change_facility(current_user, user, form.facility_id.data)
    except accounts.AccountError as exc:
        form.facility_id.errors.append(str(exc))
        return _render_person(user, form, 400)
    flash(_("Facility changed."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)
