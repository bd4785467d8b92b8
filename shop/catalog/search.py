"""Full-text search over ``product.search_text``: FTS5 on SQLite, tsvector on PostgreSQL.

User input is reduced to plain word tokens (letters and digits only), so no query
can inject FTS5 or tsquery syntax: quotes, ``*``, ``AND``/``OR``/``NOT``, ``-`` and
brackets are either dropped or searched for as ordinary words. Every token matches as a
prefix ("bat" finds "batik") and all tokens must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Float, Integer, Select, bindparam, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnElement

from shop.catalog.models import Product
from shop.extensions import db

MAX_TOKENS = 8
MAX_TOKEN_LENGTH = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def tokenize(query: str) -> list[str]:
    """Lower-cased word tokens of ``query``, de-duplicated, at most ``MAX_TOKENS``."""
    tokens: list[str] = []
    for match in _WORD.finditer(query.casefold()):
        token = match.group(0)[:MAX_TOKEN_LENGTH]
        if token not in tokens:
            tokens.append(token)
        if len(tokens) == MAX_TOKENS:
            break
    return tokens


def fts5_query(tokens: list[str]) -> str:
    """``["batik", "tul"]`` → ``'"batik"* "tul"*'`` (implicit AND, prefix match)."""
    return " ".join(f'"{token}"*' for token in tokens)


def tsquery(tokens: list[str]) -> str:
    """``["batik", "tul"]`` → ``'batik:* & tul:*'`` for ``to_tsquery('simple', …)``."""
    return " & ".join(f"{token}:*" for token in tokens)


# A literal configuration name, as in the column's definition (migration 0006).
_SIMPLE = literal_column("'simple'")


def _tsvector() -> ColumnElement:
    """``product.search_vector``: on PostgreSQL a stored generated column,
    ``to_tsvector('simple', search_text)``, with a GIN index (migration 0006).

    Not mapped on the model (SQLite has no such column), so it is named here; storing it
    spares ranking a broad search from re-parsing the text of every matching row.
    """
    return literal_column("product.search_vector")


def _name_vector() -> ColumnElement:
    """``product.name_vector``: ``to_tsvector('simple', name)``, stored, with a GIN index
    (migration 0007, PostgreSQL only)."""
    return literal_column("product.name_vector")


@dataclass(frozen=True)
class Search:
    """A search applied to a statement: matching rows joined in, plus a rank ordering."""

    tokens: list[str]

    def apply(self, stmt: Select, dialect: str) -> tuple[Select, ColumnElement]:
        """Restrict ``stmt`` (which selects from ``product``) to matches, ranked.

        Returns the new statement and an ORDER BY expression, best match first.
        """
        if dialect == "sqlite":
            fts = (
                text(
                    "SELECT rowid AS id, bm25(product_fts) AS rank "
                    "FROM product_fts WHERE product_fts MATCH :fts_query"
                )
                .bindparams(fts_query=fts5_query(self.tokens))
                .columns(id=Integer, rank=Float)
                .subquery("fts")
            )
            return stmt.join(fts, fts.c.id == Product.id), fts.c.rank.asc()
        query = self._tsquery()
        stmt = stmt.where(_tsvector().op("@@")(query))
        return stmt, func.ts_rank(_tsvector(), query).desc()

    def restrict(self, stmt: Select, dialect: str) -> Select:
        """Restrict ``stmt`` to matches without ranking them (counts, and the ids of a
        page sorted by price or date).

        On SQLite the matches are an ``IN`` list evaluated once: joining the FTS table
        into a count lets the planner probe it once per product row, which takes seconds
        at 50,000 products.
        """
        if dialect == "sqlite":
            matches = text(
                "SELECT rowid FROM product_fts WHERE product_fts MATCH :fts_query"
            ).bindparams(fts_query=fts5_query(self.tokens))
            return stmt.where(Product.id.in_(matches.columns(rowid=Integer)))
        query = self._tsquery()
        return stmt.where(_tsvector().op("@@")(query))

    def named_first_ids(self, dialect: str, offset: int, limit: int) -> tuple[list[int], bool]:
        """Ids of one page of a plain search, and whether more matches follow.

        Products whose name holds every searched word come first, then the other
        matches; newest first within each. Both lists are read from the full-text index
        in id order and reading stops after ``limit`` + 1 rows, so the first pages cost
        the same at 100,000 products as at 1,000 (ranking by bm25 / ts_rank weighs every
        match, which grows with the catalog). The other matches are only read once the
        named ones run out, and only a page past them all needs the named ones counted.
        """
        wanted = limit + 1
        ids = self._ids(dialect, named=True, offset=offset, limit=wanted)
        if len(ids) < wanted:
            named_before = offset if ids or not offset else self.count(dialect, named=True)
            others = self._ids(
                dialect, named=False, offset=offset - named_before, limit=wanted - len(ids)
            )
            ids += others
        return ids[:limit], len(ids) > limit

    def count(self, dialect: str, named: bool | None = None) -> int:
        """How many active products match (``named``: only / all but those named with
        every word); reads every match, so it is for pages past the end only."""
        if dialect == "sqlite":
            sql = "SELECT count(*) FROM product_fts WHERE product_fts MATCH :q"
            return db.session.scalar(text(sql), {"q": self._fts5(named)}) or 0
        stmt = select(func.count()).select_from(Product).where(*self._pg_where(named))
        return db.session.scalar(stmt) or 0

    def _ids(self, dialect: str, named: bool, offset: int, limit: int) -> list[int]:
        if dialect == "sqlite":
            sql = (
                "SELECT rowid FROM product_fts WHERE product_fts MATCH :q "
                "ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
            )
            params = {"q": self._fts5(named), "limit": limit, "offset": offset}
            return list(db.session.scalars(text(sql), params))
        stmt = (
            select(Product.id)
            .where(*self._pg_where(named))
            .order_by(Product.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(db.session.scalars(stmt))

    def _fts5(self, named: bool | None) -> str:
        """FTS5 holds active products only, with ``name`` as a column of its own."""
        every_word = fts5_query(self.tokens)
        if named is None:
            return every_word
        in_name = f"{{name}} : ({every_word})"
        return in_name if named else f"({every_word}) NOT {in_name}"

    def _pg_where(self, named: bool | None) -> list[ColumnElement]:
        query = self._tsquery()
        in_name = _name_vector().op("@@")(query)
        where = [Product.status == "active", Product.hidden_at.is_(None)]
        if named:
            return [*where, in_name]
        where.append(_tsvector().op("@@")(query))
        return where if named is None else [*where, ~in_name]

    def _tsquery(self) -> ColumnElement:
        """``to_tsquery('simple', '…')`` with the words written into the SQL: a bound value
        lets a prepared statement fall back to a generic plan, which cannot know whether
        walking the newest products or reading the GIN index finds a page sooner."""
        words = bindparam("tsquery", tsquery(self.tokens), literal_execute=True)
        return func.to_tsquery(_SIMPLE, words)


def build_search(query: str) -> Search | None:
    """A :class:`Search` for the visitor's text, or None when it holds no words."""
    tokens = tokenize(query)
    return Search(tokens) if tokens else None
