"""One place decides where a write transaction begins and commits: ``shop/uow.py``.

Services only flush; views and CLI commands wrap their writes in ``unit_of_work()``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from factories import make_category, make_facility

from shop.catalog.models import Category
from shop.extensions import db
from shop.facilities.models import Facility
from shop.uow import unit_of_work

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


def test_a_failing_block_leaves_nothing_behind(app):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), unit_of_work():
        make_facility(name="Lapas Setengah Jadi")
        db.session.flush()
        raise Refused
    assert db.session.query(Facility).filter_by(name="Lapas Setengah Jadi").count() == 0
