"""Sign-in, sign-out, change password and password reset (staff and administrators)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from shop.accounts import bp, services
from shop.accounts.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from shop.accounts.limiter import limiter, login_limit
from shop.accounts.mailer import send_reset_link
from shop.accounts.scoping import signin_required
from shop.uow import unit_of_work
from shop.urls import local_path


def home_for(user) -> str:
    """Where an account lands after signing in."""
    if user.is_staff:
        return url_for("dashboard.home")
    if "admin.index" in current_app.view_functions:
        return url_for("admin.index")
    return url_for("accounts.password")


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        with unit_of_work():  # failure counts, last sign-in, the session row
            result = services.authenticate(form.email.data, form.password.data)
            if result.user is not None:
                services.open_session(result.user)
        if result.user is not None:
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(result.user)
            return redirect(local_path(form.next.data) or home_for(result.user), code=303)
        error = _(
            "Wrong email or password. After %(count)d failed attempts an account is "
            "locked for %(minutes)d minutes.",
            count=services.MAX_FAILED_LOGINS,
            minutes=int(services.LOCK_DURATION.total_seconds() // 60),
        )
    status = 401 if error else 200
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/keluar")
def logout():
    # CSRFProtect guards this POST; signing out twice is harmless.
    if current_user.is_authenticated:
        with unit_of_work():
            services.end_session(current_user.session_token)  # the cookie's copy dies too
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@signin_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.change_password(
                    current_user,
                    form.current_password.data,
                    form.new_password.data,
                    keep_session=current_user.session_token,
                )
        except services.AccountError:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            login_user(current_user._get_current_object())  # this session carries on
            flash(
                _("Password changed. Other sessions of this account have been signed out."),
                "success",
            )
            return redirect(url_for("accounts.password"), code=303)
    return render_template("accounts/password.html", form=form)


def _reset_minutes() -> int:
    return current_app.config.get("PASSWORD_RESET_MAX_AGE", services.RESET_TOKEN_MAX_AGE) // 60


@bp.route("/akun/lupa-kata-sandi", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None and user.active:
            with unit_of_work():
                token = services.make_reset_token(user, current_app.config["SECRET_KEY"])
                path = url_for("accounts.reset_password", token=token)
                send_reset_link(user.email, current_app.config["SITE_URL"] + path, _reset_minutes())
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account uses that address, we have sent it a link to choose a new "
                "password. The link works for %(minutes)d minutes.",
                minutes=_reset_minutes(),
            ),
            "success",
        )
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/akun/atur-ulang/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    secret = current_app.config["SECRET_KEY"]
    max_age = current_app.config.get("PASSWORD_RESET_MAX_AGE", services.RESET_TOKEN_MAX_AGE)
    if services.user_for_reset_token(token, secret, max_age) is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.reset_password(token, secret, form.new_password.data, max_age)
        logout_user()
        flash(_("Your password has been changed. Sign in with the new password."), "success")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset.html", form=form)


@bp.route("/akun/undangan/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """An invited account chooses its password here and is signed in."""
    secret = current_app.config["SECRET_KEY"]
    max_age = current_app.config.get("ACCOUNT_INVITE_MAX_AGE", services.INVITE_MAX_AGE)
    if services.user_for_invite_token(token, secret, max_age) is None:
        return render_template("accounts/reset_invalid.html", invitation=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():  # the password and the session row
            user = services.accept_invite(token, secret, form.new_password.data, max_age)
            services.open_session(user)
        logout_user()
        session.clear()  # a fresh session: nothing from before sign-in carries over
        login_user(user)
        flash(_("Welcome to Karya Binaan: your password is set and you are signed in."), "success")
        return redirect(home_for(user), code=303)
    return render_template("accounts/invite.html", form=form)


@bp.app_errorhandler(429)
def too_many_requests(_error):
    return render_template("accounts/too_many.html"), 429
