"""Flask-Migrate bound to the app without importing it until a migration is run.

Importing Flask-Migrate imports Alembic, which imports Mako, Pygments and every
SQLAlchemy dialect it can alter (MySQL, MSSQL, Oracle): about 9 MB of a web worker's
memory for code only ``flask db …``, the demo seed and the tests use. :class:`LazyMigrate`
records the settings; ``app.extensions["migrate"]`` and the ``db`` command import
Flask-Migrate the first time they are used, and behave as Flask-Migrate's own.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask


class LazyMigrate:
    """``flask_migrate.Migrate``'s ``init_app``, with the import deferred to first use."""

    def __init__(self) -> None:
        self._migrate: Any = None

    def init_app(self, app: Flask, db: Any, **settings: Any) -> None:
        app.extensions["migrate"] = _LazyMigrateConfig(self, app, db, settings)
        app.cli.add_command(_LazyDbCommand("db"))

    def real(self) -> Any:
        """The one ``flask_migrate.Migrate`` behind every app (made on first use)."""
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate()
        return self._migrate


class _LazyMigrateConfig:
    """Stands in ``app.extensions["migrate"]`` for Flask-Migrate's ``_MigrateConfig``."""

    def __init__(self, owner: LazyMigrate, app: Flask, db: Any, settings: dict[str, Any]) -> None:
        self._owner, self._app, self._db, self._settings = owner, app, db, settings
        self._config: Any = None

    def __getattr__(self, name: str) -> Any:
        # Only attributes this class does not have: Flask-Migrate's (db, directory,
        # configure_args, migrate, metadata).
        if self._config is None:
            # Flask-Migrate's own init_app makes its config object (and registers its
            # ``db`` command under the same name, replacing the lazy one).
            self._owner.real().init_app(self._app, self._db, **self._settings)
            self._config = self._app.extensions["migrate"]
            self._app.extensions["migrate"] = self
        return getattr(self._config, name)


class _LazyDbCommand(click.Command):
    """The ``flask db`` group, imported when the command line names it."""

    def __init__(self, name: str) -> None:
        super().__init__(name, help="Perform database migrations.", add_help_option=False)

    @staticmethod
    def _group() -> click.Command:
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: ANN001, ANN201
        return self._group().make_context(info_name, args, parent=parent, **extra)
