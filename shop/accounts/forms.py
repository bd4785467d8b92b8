from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from shop.accounts.services import MIN_PASSWORD_LENGTH
from shop.forms import Form

_new_password = [
    DataRequired(message=_l("Enter a new password.")),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=200,
        message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
    ),
]
_confirm = [
    DataRequired(message=_l("Type the new password again.")),
    EqualTo("new_password", message=_l("The two passwords are not the same.")),
]


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )
    next = HiddenField()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    new_password = PasswordField(_l("New password"), validators=_new_password)
    confirm = PasswordField(_l("New password again"), validators=_confirm)


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )


class ResetPasswordForm(Form):
    new_password = PasswordField(_l("New password"), validators=_new_password)
    confirm = PasswordField(_l("New password again"), validators=_confirm)
