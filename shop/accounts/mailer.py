"""Delivering the password-reset link.

When the mail domain offers an outbox (``shop.mail.services.enqueue``), the message is
queued there, in the same transaction; until then the link is written to the application
log, which is what local development wants anyway ("mail printed to the log").
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from markupsafe import escape

log = logging.getLogger("shop.accounts")


def reset_mail_text(link: str, minutes: int) -> tuple[str, str]:
    subject = _("Reset your Karya Binaan password")
    body = _(
        "Someone asked to reset the password of this Karya Binaan account.\n\n"
        "Open this link within %(minutes)d minutes to choose a new password:\n%(link)s\n\n"
        "The link works once. If you did not ask for it, ignore this message: "
        "your password stays as it is.",
        minutes=minutes,
        link=link,
    )
    return subject, body


def _html(body: str, link: str) -> str:
    safe_link = str(escape(link))
    anchor = f'<a href="{safe_link}">{safe_link}</a>'
    paragraphs = (
        str(escape(part)).replace(safe_link, anchor).replace("\n", "<br>\n")
        for part in body.split("\n\n")
    )
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def invite_mail_text(link: str, days: int, name: str) -> tuple[str, str]:
    subject = _("Your Karya Binaan account")
    body = _(
        "Hello %(name)s,\n\n"
        "An administrator has made you an account on Karya Binaan.\n\n"
        "Open this link within %(days)d days to choose your password and sign in:\n%(link)s\n\n"
        "The link works once.",
        name=name,
        days=days,
        link=link,
    )
    return subject, body


def send_invite_link(to_addr: str, link: str, days: int, name: str = "") -> None:
    subject, body = invite_mail_text(link, days, name or to_addr)
    _send("account_invite", to_addr, subject, body, link)


def send_reset_link(to_addr: str, link: str, minutes: int) -> None:
    subject, body = reset_mail_text(link, minutes)
    _send("password_reset", to_addr, subject, body, link)


def _send(kind: str, to_addr: str, subject: str, body: str, link: str) -> None:
    try:
        from shop.mail import services as mail_services
    except ImportError:
        mail_services = None
    enqueue = getattr(mail_services, "enqueue", None)
    if enqueue is not None:
        html_body = _html(body, link)
        enqueue(
            kind=kind,
            to_addr=to_addr,
            subject=subject,
            text_body=body,
            html_body=html_body,
        )
        return
    log.warning("%s mail (no outbox configured) to %s: %s", kind, to_addr, link)
