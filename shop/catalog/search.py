"""Full-text search over ``product.search_text``: FTS5 on SQLite, tsvector on PostgreSQL.

User input is reduced to plain word tokens (letters and digits only), so no query
can inject FTS5 or tsquery syntax: quotes, ``*``, ``AND``/``OR``/``NOT``, ``-`` and
brackets are either dropped or searched for as ordinary words. Every token matches as a
prefix ("bat" finds "batik") and all tokens must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Float, Integer, Select, Subquery, case, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnElement

from shop.catalog.models import Product

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
        query = func.to_tsquery(_SIMPLE, tsquery(self.tokens))
        stmt = stmt.where(_tsvector().op("@@")(query))
        return stmt, func.ts_rank(_tsvector(), query).desc()

    def restrict(self, stmt: Select, dialect: str) -> Select:
        """Restrict ``stmt`` to matches without ranking them (for counting).

        On SQLite the matches are an ``IN`` list evaluated once: joining the FTS table
        into a count lets the planner probe it once per product row, which takes seconds
        at 50,000 products.
        """
        if dialect == "sqlite":
            matches = text(
                "SELECT rowid FROM product_fts WHERE product_fts MATCH :fts_query"
            ).bindparams(fts_query=fts5_query(self.tokens))
            return stmt.where(Product.id.in_(matches.columns(rowid=Integer)))
        query = func.to_tsquery(_SIMPLE, tsquery(self.tokens))
        return stmt.where(_tsvector().op("@@")(query))

    def newest_matches(self, dialect: str, size: int) -> tuple[Subquery, ColumnElement]:
        """The ``size`` newest matches (``id``) and a best-first ordering of them.

        Ranking every match of a broad search ("batik" matches a quarter of the catalog)
        by bm25 / ts_rank costs time in proportion to the catalog (both need every match
        to weigh the words). The newest matches come straight off the index, and they are
        ordered by how many of the searched words their name holds, so a plain search
        is about as fast at 100,000 products as at 1,000.
        """
        if dialect == "sqlite":
            window = (
                text(
                    "SELECT rowid AS id FROM product_fts WHERE product_fts MATCH :fts_query "
                    "ORDER BY rowid DESC LIMIT :size"
                )
                .bindparams(fts_query=fts5_query(self.tokens), size=size)
                .columns(id=Integer)
                .subquery("window")
            )
        else:
            query = func.to_tsquery(_SIMPLE, tsquery(self.tokens))
            window = (
                select(Product.id)
                .where(_tsvector().op("@@")(query))
                .order_by(Product.id.desc())
                .limit(size)
                .subquery("window")
            )
        return window, self.name_hits().desc()

    def name_hits(self) -> ColumnElement:
        """How many of the searched words the product's name holds (tokens are plain
        letters and digits, so they carry no LIKE wildcards)."""
        hits = [case((Product.name.ilike(f"%{token}%"), 1), else_=0) for token in self.tokens]
        return sum(hits[1:], hits[0])


def build_search(query: str) -> Search | None:
    """A :class:`Search` for the visitor's text, or None when it holds no words."""
    tokens = tokenize(query)
    return Search(tokens) if tokens else None
