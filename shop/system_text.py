"""Notes the shop's own code writes (payment changes, stock movements, order timelines).

A note is stored as its message id plus parameters (a JSON value), never as finished
text, and rendered in the reader's language when shown. Money and dates stay values until
then. A person's own words are stored as plain text and shown as written.

    note = system_note(N_("received %(received)s, order total %(total)s"),
                       received=rupiah(300000), total=rupiah(374000))
    render_note(note)  # "diterima Rp 300.000, total pesanan Rp 374.000"
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from shop.i18n import current_locale, format_rupiah


class Note(TypedDict):
    msgid: str
    params: dict[str, Any]


def N_(msgid: str) -> str:  # noqa: N802 - Babel's conventional no-op marker
    """Marks ``msgid`` for extraction; translated only when the note is shown."""
    return msgid


def rupiah(amount: int) -> dict[str, int]:
    """A money parameter: shown as ``Rp 150.000`` in the reader's locale."""
    return {"rupiah": int(amount)}


def when(moment: date | datetime) -> dict[str, str]:
    """A date (or date and time) parameter: shown in the reader's locale."""
    key = "datetime" if isinstance(moment, datetime) else "date"
    return {key: moment.isoformat()}


def system_note(msgid: str, **params: Any) -> Note:
    """A note the shop writes: ``msgid`` (marked with ``N_``) and its parameters.

    Parameters are plain values (a person's words, a tracking number), ``rupiah(...)``,
    ``when(...)``, or another note (shown translated too).
    """
    return {"msgid": msgid, "params": params}


def label(msgid: str) -> Note:
    """A label (its msgid, marked with ``N_``) as a note parameter: it is shown in the
    reader's language, not the writer's."""
    return system_note(msgid)


def is_note(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("msgid"), str)


def note_columns(value: Note | str | None, limit: int = 300) -> tuple[str, Note | None]:
    """What a writer stores: ``(plain text, note)`` for a person's words or a note."""
    if is_note(value):
        return "", value  # type: ignore[return-value]
    return (value or "")[:limit], None


def note_text(value: Note | str | None) -> str:
    """The note in the code's own words (English, untranslated): for logs and outcomes."""
    if not is_note(value):
        return value or ""
    params = {key: _plain(item) for key, item in (value.get("params") or {}).items()}
    return value["msgid"] % params if params else value["msgid"]


def _plain(value: Any) -> Any:
    if is_note(value):
        return note_text(value)
    if isinstance(value, dict):
        if "rupiah" in value:
            return format_rupiah(value["rupiah"])
        return next(iter(value.values()), "")
    return value


def _param(value: Any) -> Any:
    if is_note(value):
        return render_note(value)
    if isinstance(value, dict):
        if "rupiah" in value:
            return format_rupiah(value["rupiah"])
        if "datetime" in value:
            return format_datetime(datetime.fromisoformat(value["datetime"]), "medium")
        if "date" in value:
            return format_date(date.fromisoformat(value["date"]), "long")
    return value


def render_note(value: Note | str | None, text: str = "") -> str:
    """A stored note in the reader's language; plain text (a person's) as it is.

    ``value`` is the note column (or a plain string); ``text`` the plain column shown
    when there is no note.
    """
    if is_note(value):
        params = {key: _param(item) for key, item in (value.get("params") or {}).items()}
        translated = _(value["msgid"])  # Flask-Babel's gettext does not interpolate bare
        try:
            return translated % params if params else translated
        except (KeyError, TypeError, ValueError):
            return value["msgid"] % params if params else value["msgid"]
    if isinstance(value, str) and value:
        return value
    return text or ""


def actor_label(actor: str | None) -> str:
    """Who did something, as people read it: a person's name, or "System" translated.

    Stored actors are ``admin:<id>``, ``staff:<id>``, an e-mail address, or a process
    label (``system``, ``stripe``, ``cli:…``, ``seed``, ``demo:…``, ``buyer``).
    """
    from flask import g, has_app_context

    actor = (actor or "").strip()
    if not actor:
        return ""
    cache: dict[tuple[str, str], str] = {}
    if has_app_context():
        cache = g.setdefault("_actor_labels", {})
    key = (current_locale(), actor)
    if key not in cache:
        cache[key] = _actor_label(actor)
    return cache[key]


def _actor_label(actor: str) -> str:
    from sqlalchemy import func, select

    from shop.accounts.models import User
    from shop.extensions import db

    if actor == "stripe":
        return "Stripe"
    if actor == "buyer":
        return _("Buyer")
    kind, _sep, ident = actor.partition(":")
    person = kind in ("admin", "staff")
    user = None
    if person and ident.isascii() and ident.isdigit() and len(ident) < 10:
        user = db.session.get(User, int(ident))
    elif "@" in actor:
        email = ident if person else actor
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    elif not person:
        return _("System")  # system, seed, cli:…, demo:…: the shop itself
    if user is None:
        return actor  # a person no longer on record: the label as it was written
    return user.name or user.email
