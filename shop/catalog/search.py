"""Full-text search over ``product.search_text``: FTS5 on SQLite, tsvector on PostgreSQL.

User input is reduced to plain word tokens (letters and digits only), so no query
can inject FTS5 or tsquery syntax: quotes, ``*``, ``AND``/``OR``/``NOT``, ``-`` and
brackets are either dropped or searched for as ordinary words. Every token matches as a
prefix ("bat" finds "batik") and all tokens must match.

Each word is widened before it is looked up (:func:`build_search`):

- its Indonesian root (Sastrawi, as the index holds roots too: shop/catalog/indexing.py),
  so "tenunan" finds "tenun" and "anyam" finds "anyaman";
- its synonyms from the reviewed file ``synonyms.txt`` ("bag" finds "tas"), matched as
  whole words;
- when neither the word nor any of those is a word of the catalog, the nearest catalog
  word within one or two edits ("battik" → "batik"): ``pg_trgm`` similarity on
  PostgreSQL, rapidfuzz over the words of about the same length on SQLite.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

from flask import current_app
from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio
from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from shop.catalog.indexing import stem
from shop.catalog.models import Product, SearchTerm
from shop.extensions import db

MAX_TOKENS = 8
MAX_TOKEN_LENGTH = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words shorter than this are never corrected: "tas" has too many neighbours.
MIN_CORRECTED_LENGTH = 4
SYNONYMS_FILE = os.path.join(os.path.dirname(__file__), "synonyms.txt")


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


# --------------------------------------------------------------------------- synonyms

_synonyms_lock = threading.Lock()
_synonyms: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {}


def parse_synonyms(lines) -> dict[str, tuple[str, ...]]:
    """``"bag, tas"`` lines → ``{"bag": ("tas",), "tas": ("bag",)}`` (groups merge)."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        words = [w for w in (tokenize(part) for part in line.split("#")[0].split(",")) if w]
        group = [w[0] for w in words if len(w) == 1]
        for word in group:
            known = groups.setdefault(word, [])
            known.extend(other for other in group if other != word and other not in known)
    return {word: tuple(others) for word, others in groups.items()}


def synonyms() -> dict[str, tuple[str, ...]]:
    """The synonym groups of ``SEARCH_SYNONYMS_FILE`` (default ``synonyms.txt``), read
    again whenever the file changes."""
    path = current_app.config.get("SEARCH_SYNONYMS_FILE") or SYNONYMS_FILE
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return {}
    hit = _synonyms.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    with open(path, encoding="utf-8") as lines:
        table = parse_synonyms(lines)
    with _synonyms_lock:
        _synonyms[path] = (mtime, table)
    return table


def synonyms_of(word: str) -> tuple[str, ...]:
    table = synonyms()
    found = table.get(word)
    if found is None and len(word) > 3 and word.endswith("s"):  # "bags", "baskets"
        found = table.get(word[:-1])
    return found or ()


# --------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class Term:
    """One searched word and what else may stand in for it: ``prefixes`` match the start
    of an indexed word, ``words`` a whole word."""

    prefixes: tuple[str, ...]
    words: tuple[str, ...] = ()

    def fts5(self) -> str:
        parts = [f'"{p}"*' for p in self.prefixes] + [f'"{w}"' for w in self.words]
        return parts[0] if len(parts) == 1 else f"({' OR '.join(parts)})"

    def tsquery(self) -> str:
        parts = [f"{p}:*" for p in self.prefixes] + list(self.words)
        return parts[0] if len(parts) == 1 else f"({' | '.join(parts)})"


def widen(word: str) -> Term:
    """``word`` with its Indonesian root and its synonyms."""
    prefixes = [word]
    words = [w for w in synonyms_of(word) if w != word]
    root = stem(word)
    if root != word:
        # A short root as a prefix would find too much ("tas" in "tasikmalaya").
        (prefixes if len(root) >= MIN_CORRECTED_LENGTH else words).append(root)
    if root != word:
        words += [w for w in synonyms_of(root) if w not in words and w != word]
    return Term(tuple(prefixes), tuple(words))


def _known(prefixes: list[str], words: list[str]) -> tuple[set[str], set[str]]:
    """Which of ``prefixes`` begin some word of the catalog, and which of ``words`` are
    words of it (one statement)."""
    branches = [
        select(literal(word, String).label("word"), literal(True).label("prefix")).where(
            select(SearchTerm.term)
            .where(SearchTerm.term >= word, SearchTerm.term < word + "\uffff")
            .exists()
        )
        for word in prefixes
    ] + [
        select(SearchTerm.term.label("word"), literal(False).label("prefix")).where(
            SearchTerm.term == word
        )
        for word in words
    ]
    stmt = branches[0] if len(branches) == 1 else union_all(*branches)
    rows = db.session.execute(stmt).all()
    return {w for w, prefix in rows if prefix}, {w for w, prefix in rows if not prefix}


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correction(word: str, dialect: str) -> str | None:
    """The catalog word nearest to ``word`` within :func:`max_edits` edits, or None."""
    if dialect == "postgresql":
        candidates = list(
            db.session.scalars(
                select(SearchTerm.term)
                .where(SearchTerm.term.op("%")(word))
                .order_by(SearchTerm.term.op("<->")(word))
                .limit(20)
            )
        )
    else:
        candidates = list(
            db.session.scalars(
                select(SearchTerm.term).where(
                    SearchTerm.length.between(len(word) - 2, len(word) + 2)
                )
            )
        )
    # The synonym file's words too: "bracelt" → "bracelet" (→ "gelang").
    candidates += [w for w in synonyms() if abs(len(w) - len(word)) <= 2]
    limit = max_edits(word)
    best: tuple[int, float, str] | None = None
    for candidate in candidates:
        distance = OSA.distance(word, candidate, score_cutoff=limit)
        if distance > limit or candidate == word:
            continue
        key = (distance, -ratio(word, candidate), candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


# --------------------------------------------------------------------------- SQL

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
    """A search applied to a statement: matching rows joined in, plus a rank ordering.

    ``tokens`` are the visitor's words; ``terms`` what is looked up for each (the word
    itself when not given); ``corrected`` maps a misspelt word to the catalog word
    searched instead.
    """

    tokens: list[str]
    terms: list[Term] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)

    def _terms(self) -> list[Term]:
        return self.terms or [Term((token,)) for token in self.tokens]

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
                .bindparams(fts_query=self._fts5(None))
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
            return stmt.where(Product.id.in_(self.match_ids(dialect)))
        query = self._tsquery()
        return stmt.where(_tsvector().op("@@")(query))

    def match_ids(self, dialect: str, limit: int | None = None):
        """A selectable of the ids of matching products (at most ``limit``), for ``IN``."""
        if dialect == "sqlite":
            sql = "SELECT rowid FROM product_fts WHERE product_fts MATCH :fts_query"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            return text(sql).bindparams(fts_query=self._fts5(None)).columns(rowid=Integer)
        stmt = select(Product.id).where(*self._pg_where(None))
        if limit is not None:
            stmt = stmt.order_by(Product.id.desc()).limit(limit)
        return stmt

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
        every_word = " AND ".join(term.fts5() for term in self._terms())
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

    def _tsquery_text(self) -> str:
        return " & ".join(term.tsquery() for term in self._terms())

    def _tsquery(self) -> ColumnElement:
        """``to_tsquery('simple', '…')`` with the words written into the SQL: a bound value
        lets a prepared statement fall back to a generic plan, which cannot know whether
        walking the newest products or reading the GIN index finds a page sooner."""
        words = bindparam("tsquery", self._tsquery_text(), literal_execute=True)
        return func.to_tsquery(_SIMPLE, words)


def build_search(query: str, *, correct: bool = True) -> Search | None:
    """A :class:`Search` for the visitor's text, or None when it holds no words.

    Words are widened with their root and synonyms; with ``correct``, a word that begins
    no catalog word (nor do its root and synonyms) is replaced by the nearest catalog word,
    when one is within one or two edits.
    """
    tokens = tokenize(query)
    if not tokens:
        return None
    terms = [widen(token) for token in tokens]
    corrected: dict[str, str] = {}
    checked = [
        (i, token)
        for i, (token, term) in enumerate(zip(tokens, terms, strict=True))
        if correct and len(token) >= MIN_CORRECTED_LENGTH and token.isalpha() and not term.words
    ]
    short = [t for t in tokens if len(t) < MIN_CORRECTED_LENGTH and t.isalpha()]
    asked = [p for i, _ in checked for p in terms[i].prefixes]
    known, whole = _known(asked, short) if asked or short else (set(), set())
    for i, token in enumerate(tokens):
        if token in whole:
            # A short word of the catalog ("tas") is that word, not the start of a
            # longer one ("tasikmalaya"); "bat", no word of its own, still finds "batik".
            terms[i] = Term(terms[i].prefixes[1:], (token, *terms[i].words))
    if checked:
        dialect = db.engine.dialect.name
        for i, token in checked:
            if any(p in known for p in terms[i].prefixes):
                continue
            fixed = correction(token, dialect)
            if fixed:
                corrected[token] = fixed
                terms[i] = widen(fixed)
    return Search(tokens, terms, corrected)
