"""One place decides where a write transaction begins and commits: ``shop/uow.py``.

Services only flush; views and CLI commands wrap their writes in ``unit_of_work()``.
"""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import pytest
from factories import make_category, make_facility

from shop.catalog.models import Category
from shop.extensions import db
from shop.facilities.models import Facility
from shop.uow import after_commit, unit_of_work

SHOP = Path(__file__).resolve().parents[2] / "shop"
OWNER = SHOP / "uow.py"


def _calls(path: Path, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in names:
            found.append(f"{path.relative_to(SHOP.parent)}:{node.lineno} {name}()")
    return found


def test_only_the_unit_of_work_begins_and_commits_writes():
    offenders = []
    for path in sorted(SHOP.rglob("*.py")):
        if path == OWNER or "migrations" in path.parts:
            continue
        offenders += _calls(path, {"commit", "begin_write", "checkpoint"})
    # checkpoint() is for long batch jobs, inside their unit of work.
    allowed = "shop/demo/seed.py"
    assert [o for o in offenders if not (o.startswith(allowed) and "checkpoint" in o)] == []


def test_a_unit_of_work_commits_what_its_block_wrote(app):
    with unit_of_work():
        make_category(name_id="Tenun")
    db.session.rollback()  # nothing left to lose: it was committed
    assert db.session.query(Category).filter_by(name_id="Tenun").count() == 1


class Refused(Exception):
    pass


def test_a_failing_block_leaves_nothing_behind(app):
    with pytest.raises(Refused), unit_of_work():
        make_facility(name="Lapas Setengah Jadi")
        db.session.flush()
        raise Refused
    assert db.session.query(Facility).filter_by(name="Lapas Setengah Jadi").count() == 0


def test_after_commit_work_runs_once_committed_and_never_after_a_rollback(app):
    ran: list[str] = []
    with unit_of_work():
        after_commit(lambda: ran.append("kept"))
        with contextlib.suppress(Refused), db.session.begin_nested():
            raise Refused  # a savepoint rolled back does not drop the outer work
        assert ran == []
    assert ran == ["kept"]

    with pytest.raises(Refused), unit_of_work():
        after_commit(lambda: ran.append("lost"))
        raise Refused
    with unit_of_work():
        pass
    assert ran == ["kept"]  # the rolled-back block's work never ran, then or later


def test_failing_after_commit_work_leaves_the_commit_standing(app):
    def broken() -> None:
        raise RuntimeError("template missing")

    with unit_of_work():
        make_category(name_id="Anyaman")
        after_commit(broken)
    db.session.rollback()
    assert db.session.query(Category).filter_by(name_id="Anyaman").count() == 1
