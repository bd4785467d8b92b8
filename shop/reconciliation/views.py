"""Administrators import bank statements and match their lines (``@admin_required``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from shop.accounts.scoping import admin_required
from shop.extensions import db
from shop.reconciliation import bp
from shop.reconciliation import services as recon
from shop.reconciliation.forms import (
    MAX_STATEMENT_BYTES,
    MappingForm,
    MatchForm,
    NotOursForm,
    SplitForm,
    UndoForm,
    UploadForm,
)
from shop.reconciliation.models import StatementImport
from shop.reconciliation.parsers import (
    BANK_NAMES,
    ColumnMapping,
    StatementError,
    csv_header,
    decode,
)
from shop.uow import unit_of_work


def _index(form: UploadForm | None = None, error: str = "", status: int = 200):
    page = request.args.get("page", 1, type=int) or 1
    listing = recon.imports_page(page)
    return render_template(
        "reconciliation/index.html",
        form=form or UploadForm(formdata=None),
        error=error,
        listing=listing,
        counts=recon.import_counts([i.id for i in listing.items]),
        bank_names=BANK_NAMES,
    ), status


@bp.get("/")
@admin_required
def index():
    return _index()


def _run_import(content: bytes, filename: str, bank: str | None, mapping=None):
    """Import and commit; a StatementError propagates (nothing written)."""
    try:
        with unit_of_work():
            result = recon.import_statement(content, filename, current_user, bank, mapping)
    except IntegrityError:
        return None
    statement = result.statement
    errors = sum(1 for p in statement.problems or [] if p["kind"] == "error")
    flash(
        _(
            "Imported %(filename)s: %(new)d new lines, %(known)d already imported before, "
            "%(matched)d orders confirmed automatically, %(errors)d rows could not be read.",
            filename=statement.filename,
            new=statement.lines_new,
            known=statement.lines_known,
            matched=result.matched,
            errors=errors,
        ),
        "success" if not errors else "warning",
    )
    return redirect(url_for("reconciliation.statement", import_id=statement.id), code=303)


@bp.post("/")
@admin_required
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, status=400)
    upload = form.statement.data
    if upload is None or not getattr(upload, "filename", ""):
        form.statement.errors = [_("Choose the statement file exported from the bank.")]
        return _index(form, status=400)
    content = upload.read(MAX_STATEMENT_BYTES + 1)
    if len(content) > MAX_STATEMENT_BYTES:
        form.statement.errors = [_("The file is larger than 5 MB: export a shorter period.")]
        return _index(form, status=400)
    if not content.strip():
        form.statement.errors = [_("The file is empty.")]
        return _index(form, status=400)
    if form.bank.data == "csv":
        try:
            names = csv_header(decode(content))
        except StatementError as error:
            form.statement.errors = [str(error.reason)]
            return _index(form, status=400)
        mapping = MappingForm(formdata=None, content=decode(content), filename=upload.filename)
        mapping.set_columns(names)
        return render_template("reconciliation/mapping.html", form=mapping)
    try:
        done = _run_import(content, upload.filename, form.bank.data)
    except StatementError as error:
        form.statement.errors = [str(error.reason)]
        return _index(form, status=400)
    if done is None:
        return _index(
            form, _("Someone imported the same lines at the same moment: try again."), 409
        )
    return done


@bp.post("/kolom")
@admin_required
def mapping():
    form = MappingForm()
    content = (form.content.data or "").encode()
    if len(content) > MAX_STATEMENT_BYTES:
        abort(413)
    try:
        names = csv_header(form.content.data or "")
    except StatementError:
        return redirect(url_for("reconciliation.index"), code=303)
    form.set_columns(names)
    if not form.validate_on_submit():
        return render_template("reconciliation/mapping.html", form=form), 400
    columns = ColumnMapping(
        date=form.date.data,
        description=form.description.data,
        amount=form.amount.data or "",
        debit=form.debit.data or "",
        credit=form.credit.data or "",
        reference=form.reference.data or "",
        balance=form.balance.data or "",
    )
    problems = columns.problems()
    if problems:
        return render_template(
            "reconciliation/mapping.html", form=form, problems=[str(p) for p in problems]
        ), 400
    try:
        done = _run_import(content, form.filename.data or "statement.csv", "csv", columns)
    except StatementError as error:
        return render_template(
            "reconciliation/mapping.html", form=form, problems=[str(error.reason)]
        ), 400
    if done is None:
        return _index(
            None, _("Someone imported the same lines at the same moment: try again."), 409
        )
    return done


@bp.get("/impor/<id:import_id>")
@admin_required
def statement(import_id: int):
    statement = db.session.get(StatementImport, import_id) if import_id <= recon.MAX_ID else None
    if statement is None:
        abort(404)
    status = request.args.get("status", "")
    if status not in recon.LINE_FILTERS:
        status = ""
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "reconciliation/statement.html",
        statement=statement,
        counts=recon.import_counts([statement.id]).get(statement.id, recon.ImportCounts()),
        listing=recon.lines_page(import_id, status, page),
        status=status,
        status_labels=recon.LINE_STATUS_LABELS,
        bank_names=BANK_NAMES,
        problem_reason=recon.problem_reason,
    )


def _render_line(line_id: int, status: int = 200, **forms):
    line = recon.get_line(line_id)
    if line is None:
        abort(404)
    candidates = recon.candidates(line) if line.status == "unmatched" else []
    split = forms.get("split") or SplitForm(formdata=None, prefix="split")
    return render_template(
        "reconciliation/line.html",
        line=line,
        candidates=candidates,
        candidate_labels=recon.CANDIDATE_LABELS,
        matches=recon.match_rows(line.id),
        match_form=forms.get("match") or MatchForm(formdata=None, prefix="match"),
        split_form=split,
        not_ours_form=forms.get("not_ours") or NotOursForm(formdata=None, prefix="notours"),
        undo_form=forms.get("undo") or UndoForm(formdata=None, prefix="undo"),
        error=forms.get("error", ""),
        status_labels=recon.LINE_STATUS_LABELS,
        outcome_labels=recon.OUTCOME_LABELS,
        bank_names=BANK_NAMES,
    ), status


@bp.get("/baris/<id:line_id>")
@admin_required
def line(line_id: int):
    return _render_line(line_id)


def _act(line_id: int, form_name: str, form, action, done_message: str):
    """Validate, run one service in a write transaction, commit; errors re-render."""
    if recon.get_line(line_id) is None:
        abort(404)
    if not form.validate_on_submit():
        return _render_line(line_id, 400, **{form_name: form})
    try:
        with unit_of_work():
            action()
    except recon.LineError as error:
        return _render_line(line_id, 409, **{form_name: form, "error": str(error.message)})
    flash(done_message, "success")
    return redirect(url_for("reconciliation.line", line_id=line_id), code=303)


@bp.post("/baris/<id:line_id>/cocokkan")
@admin_required
def match(line_id: int):
    form = MatchForm(prefix="match")
    return _act(
        line_id,
        "match",
        form,
        lambda: recon.match_by_hand(
            line_id, form.order_number.data, current_user, (form.note.data or "").strip()
        ),
        _(
            "The line was matched to order %(number)s.",
            number=(form.order_number.data or "").strip().upper(),
        ),
    )


@bp.post("/baris/<id:line_id>/bagi")
@admin_required
def split(line_id: int):
    form = SplitForm(prefix="split")
    return _act(
        line_id,
        "split",
        form,
        lambda: recon.split_line(
            line_id, form.filled_parts(), current_user, (form.note.data or "").strip()
        ),
        _("The line was split over the orders."),
    )


@bp.post("/baris/<id:line_id>/bukan-milik-kita")
@admin_required
def not_ours(line_id: int):
    form = NotOursForm(prefix="notours")
    return _act(
        line_id,
        "not_ours",
        form,
        lambda: recon.mark_not_ours(line_id, current_user, form.note.data or ""),
        _("The line is marked as not a payment for an order."),
    )


@bp.post("/baris/<id:line_id>/batalkan")
@admin_required
def undo(line_id: int):
    form = UndoForm(prefix="undo")
    return _act(
        line_id,
        "undo",
        form,
        lambda: recon.undo(line_id, current_user, (form.note.data or "").strip()),
        _("Undone: the line is unmatched again."),
    )


@bp.get("/pengecualian")
@admin_required
def exceptions_page():
    """Everything that does not add up, in one list, each linked to where it is resolved."""
    from shop.reconciliation.exceptions import exceptions

    return render_template("reconciliation/exceptions.html", items=exceptions())
