"""Deliver one message: SMTP with a timeout, or the log when ``MAIL_SERVER`` is empty."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger("shop.mail")


def build_email(config: Mapping, message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="karyabinaan.id")
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def send_message(config: Mapping, message) -> None:
    email = build_email(config, message)
    if not config.get("MAIL_SERVER"):
        log.info("MAIL_SERVER is empty; mail written to the log:\n%s", email.as_string())
        return
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
