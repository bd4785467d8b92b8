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
  PostgreSQL, rapidfuzz over the words of about the same length on SQLite;
- when the word is a word of the catalog but one edit away from a much more frequent one
  ("batok", a few coconut-shell ladles, beside "batik", thousands of cloths), that word
  too: the matches of the word as typed are listed first, the near word's after them
  (:func:`near_words`).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field, replace

from flask import current_app
from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio
from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
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
# A word of the catalog is also searched as a near word (one edit away) only when the near
# word matches at least NEAR_RATIO times as many products. The typed word's matches are
# counted up to TYPED_BOUND + 1 (a word with more is never widened), the near word's up to
# TYPED_BOUND * NEAR_RATIO; at most NEAR_WORDS near words per searched word.
NEAR_RATIO = 3
TYPED_BOUND = 50
NEAR_BOUND = TYPED_BOUND * NEAR_RATIO
NEAR_WORDS = 2
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


def synonyms_stamp() -> tuple[str, int | None]:
    """The synonyms file in use and its modification time (None: no file)."""
    path = current_app.config.get("SEARCH_SYNONYMS_FILE") or SYNONYMS_FILE
    try:
        return path, os.stat(path).st_mtime_ns
    except OSError:
        return path, None


def synonyms() -> dict[str, tuple[str, ...]]:
    """The synonym groups of ``SEARCH_SYNONYMS_FILE`` (default ``synonyms.txt``), read
    again whenever the file changes."""
    path, mtime = synonyms_stamp()
    if mtime is None:
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
    # Catalog words one edit away, searched too but ranked after (:func:`near_words`).
    near: tuple[str, ...] = ()

    def fts5(self, near: bool = False) -> str:
        parts = [f'"{p}"*' for p in self.prefixes] + [f'"{w}"' for w in self.words]
        parts += [f'"{w}"' for w in self.near] if near else []
        return parts[0] if len(parts) == 1 else f"({' OR '.join(parts)})"

    def tsquery(self, near: bool = False) -> str:
        parts = [f"{p}:*" for p in self.prefixes] + list(self.words)
        parts += list(self.near) if near else []
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


@dataclass(frozen=True)
class WordCheck:
    """What one statement tells about the visitor's words (:func:`check_words`)."""

    # Asked prefixes that begin some word of the catalog.
    known: frozenset[str]
    # Asked short words that are words of the catalog.
    whole: frozenset[str]
    # For each asked candidate word, catalog words that may lie within two edits of it.
    candidates: dict[str, list[str]]


def _candidate_rows(words: list[str], dialect: str) -> list[Select]:
    """Branches of (kind "c", word, catalog word) rows: catalog words that may lie within
    two edits of each of ``words`` (a superset)."""
    if dialect == "postgresql":
        # One branch per word: pg_trgm's nearest 20, found by the trigram index.
        branches = []
        for word in words:
            nearest = (
                select(SearchTerm.term)
                .where(SearchTerm.term.op("%")(word))
                .order_by(SearchTerm.term.op("<->")(word))
                .limit(20)
                .subquery()
            )
            branches.append(select(literal("c", String), literal(word, String), nearest.c.term))
        return branches
    # SQLite: the vocabulary of about the same length, read once for every word.
    low = min(len(w) for w in words) - 2
    high = max(len(w) for w in words) + 2
    return [
        select(literal("c", String), literal("", String), SearchTerm.term).where(
            SearchTerm.length.between(low, high)
        )
    ]


def check_words(prefixes: list[str], words: list[str], candidates_for: list[str]) -> WordCheck:
    """Which of ``prefixes`` begin some word of the catalog, which of ``words`` are words
    of it, and the correction candidates of each of ``candidates_for``: one statement."""
    dialect = db.engine.dialect.name
    branches = [
        select(literal("p", String), literal(word, String), literal("", String)).where(
            select(SearchTerm.term)
            .where(SearchTerm.term >= word, SearchTerm.term < word + "\uffff")
            .exists()
        )
        for word in prefixes
    ] + [
        select(literal("w", String), SearchTerm.term, literal("", String)).where(
            SearchTerm.term == word
        )
        for word in words
    ]
    if candidates_for:
        branches += _candidate_rows(candidates_for, dialect)
    stmt = branches[0] if len(branches) == 1 else union_all(*branches)
    known: set[str] = set()
    whole: set[str] = set()
    candidates: dict[str, list[str]] = {word: [] for word in candidates_for}
    for kind, word, term in db.session.execute(stmt).all():
        if kind == "p":
            known.add(word)
        elif kind == "w":
            whole.add(word)
        elif word:
            candidates[word].append(term)
        else:  # SQLite: one list of every length asked, each word takes its own
            for asked, found in candidates.items():
                if abs(len(term) - len(asked)) <= 2:
                    found.append(term)
    return WordCheck(frozenset(known), frozenset(whole), candidates)


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correction(word: str, candidates: list[str]) -> str | None:
    """The catalog word nearest to ``word`` within :func:`max_edits` edits, or None
    (``candidates``: from :func:`check_words`)."""
    candidates = list(candidates)
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


def _one_edit_away(word: str, candidates: list[str]) -> list[str]:
    """Catalog words one edit from ``word`` that neither extend it (the prefix match finds
    those) nor share its root ("ukir" beside "ukiran"), closest spelling first."""
    root = stem(word)
    found = [
        candidate
        for candidate in candidates
        if not candidate.startswith(word)
        and len(candidate) >= MIN_CORRECTED_LENGTH
        and OSA.distance(word, candidate, score_cutoff=1) <= 1
        and stem(candidate) != root
    ]
    return sorted(found, key=lambda c: (-ratio(word, c), c))


def _bounded_counts(terms: dict[str, tuple[Term, int]], dialect: str) -> dict[str, int]:
    """How many products for sale each of ``terms`` matches, counted up to its bound:
    one statement (each branch with bound values of its own; in no order, so PostgreSQL
    stops at the bound whichever way it reads)."""
    branches = []
    for key, (term, bound) in terms.items():
        if dialect == "sqlite":
            ids = (
                text("SELECT rowid FROM product_fts WHERE product_fts MATCH :near LIMIT :bound")
                .bindparams(
                    bindparam("near", term.fts5(), unique=True),
                    bindparam("bound", bound, unique=True),
                )
                .columns(rowid=Integer)
            )
        else:
            query = func.to_tsquery(
                _SIMPLE, bindparam("near", term.tsquery(), unique=True, literal_execute=True)
            )
            ids = (
                select(Product.id)
                .where(
                    Product.status == "active",
                    Product.hidden_at.is_(None),
                    _tsvector().op("@@")(query),
                )
                .limit(bound)
            )
        branches.append(
            select(literal(key, String).label("key"), func.count().label("n")).select_from(
                ids.subquery()
            )
        )
    stmt = branches[0] if len(branches) == 1 else union_all(*branches)
    return dict(db.session.execute(stmt).all())


def near_words(
    tokens: list[str], candidates: dict[str, list[str]], dialect: str
) -> dict[str, tuple[str, ...]]:
    """For each of ``tokens`` (words of the catalog), the catalog words one edit away
    (among its ``candidates``, from :func:`check_words`) that match at least NEAR_RATIO
    times as many products, at most NEAR_WORDS of them.

    A word that is in the catalog may still be a slip for a commoner one ("batok" for
    "batik"); a common word ("batik" beside a rare "batok") is left alone, which keeps
    the first page of common searches as it was. One statement, only when some near
    word is found: the bounded counts (the typed word as a prefix, near words whole, as
    searched).
    """
    near = {token: _one_edit_away(token, candidates[token])[: NEAR_WORDS * 2] for token in tokens}
    terms: dict[str, Term] = {}
    for token, words in near.items():
        if words:
            terms["=" + token] = (Term((token,)), TYPED_BOUND + 1)
            terms.update(("~" + word, (Term((), (word,)), NEAR_BOUND)) for word in words)
    if not terms:
        return {}
    counts = _bounded_counts(terms, dialect)
    widened: dict[str, tuple[str, ...]] = {}
    for token, words in near.items():
        typed = counts.get("=" + token, 0)
        if not words or not typed or typed > TYPED_BOUND:
            continue
        common = [w for w in words if counts.get("~" + w, 0) >= typed * NEAR_RATIO]
        if common:
            widened[token] = tuple(common[:NEAR_WORDS])
    return widened


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


# PostgreSQL's counterpart of FTS5's product_fts for a search's count and facets: each
# product for sale's facet columns and words, narrow, kept by a trigger (migration 0028).
FTS_FACETS = table(
    "product_fts_facets",
    column("product_id", Integer),
    column("category_id", Integer),
    column("facility_id", Integer),
    column("price", Integer),
    column("price_band", Integer),
    column("words"),
)


def _name_vector() -> ColumnElement:
    """``product.name_vector``: ``to_tsvector('simple', name)``, stored, with a GIN index
    (migration 0007, PostgreSQL only)."""
    return literal_column("product.name_vector")


@dataclass(frozen=True)
class Search:
    """A search applied to a statement: matching rows joined in, plus a rank ordering.

    ``tokens`` are the visitor's words; ``terms`` what is looked up for each (the word
    itself when not given); ``corrected`` maps a misspelt word to the catalog word
    searched instead; ``near`` a word of the catalog to the near words searched too
    (their matches come after those of the words as typed).

    The matches are those of every term with its near words; the matches of the terms
    alone ("exact") rank first.
    """

    tokens: list[str]
    terms: list[Term] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)
    near: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def _terms(self) -> list[Term]:
        return self.terms or [Term((token,)) for token in self.tokens]

    @property
    def key(self) -> tuple[Term, ...]:
        """What the search looks up, to keep what it found by (not the words as typed)."""
        return tuple(self._terms())

    @property
    def widened(self) -> bool:
        return any(term.near for term in self._terms())

    def apply(self, stmt: Select, dialect: str) -> tuple[Select, tuple[ColumnElement, ...]]:
        """Restrict ``stmt`` (which selects from ``product``) to matches, ranked.

        Returns the new statement and ORDER BY expressions, best match first: with near
        words, the matches of the words as typed before the others.
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
            order: tuple[ColumnElement, ...] = (fts.c.rank.asc(),)
            if self.widened:
                exact = text(
                    "SELECT rowid FROM product_fts WHERE product_fts MATCH :fts_exact"
                ).bindparams(fts_exact=self._fts5_words(near=False))
                order = (fts.c.id.in_(exact).desc(), *order)
            return stmt.join(fts, fts.c.id == Product.id), order
        query = self._tsquery()
        stmt = stmt.where(_tsvector().op("@@")(query))
        order = (func.ts_rank(_tsvector(), query).desc(),)
        if self.widened:
            order = (_tsvector().op("@@")(self._tsquery(near=False)).desc(), *order)
        return stmt, order

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

    def tiers(self) -> list[tuple[bool, bool]]:
        """The groups a plain search lists, in order, as (near, named): products named
        with every word, then the other matches; with near words, then the products
        named with a near word, then the other matches of near words."""
        tiers = [(False, True), (False, False)]
        return [*tiers, (True, True), (True, False)] if self.widened else tiers

    def named_first_ids(self, dialect: str, offset: int, limit: int) -> tuple[list[int], bool]:
        """Ids of one page of a plain search, and whether more matches follow.

        The matches come in the groups of :meth:`tiers` (products whose name holds every
        searched word first), newest first within each. Each group is read from the
        full-text index in id order and reading stops after ``limit`` + 1 rows, so the
        first pages cost the same at 100,000 products as at 1,000 (ranking by bm25 /
        ts_rank weighs every match, which grows with the catalog). A group is only read
        once the ones before it run out, and only a page past a whole group needs that
        group counted.
        """
        wanted = limit + 1
        ids: list[int] = []
        skip = offset
        for tier in self.tiers():
            found = self._ids(dialect, tier, offset=skip, limit=wanted - len(ids))
            ids += found
            if len(ids) >= wanted:
                break
            if found:
                skip = 0
            elif skip:  # this whole group lies before the page
                skip = max(0, skip - self.count(dialect, tier))
        return ids[:limit], len(ids) > limit

    def count(self, dialect: str, tier: tuple[bool, bool] | None = None) -> int:
        """How many active products match (``tier``: in one group of :meth:`tiers`);
        reads every match, so it is for pages past the end only."""
        if dialect == "sqlite":
            sql = "SELECT count(*) FROM product_fts WHERE product_fts MATCH :q"
            return db.session.scalar(text(sql), {"q": self._fts5(tier)}) or 0
        stmt = select(func.count()).select_from(Product).where(*self._pg_where(tier))
        return db.session.scalar(stmt) or 0

    def _ids(self, dialect: str, tier: tuple[bool, bool], offset: int, limit: int) -> list[int]:
        if dialect == "sqlite":
            sql = (
                "SELECT rowid FROM product_fts WHERE product_fts MATCH :q "
                "ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
            )
            params = {"q": self._fts5(tier), "limit": limit, "offset": offset}
            return list(db.session.scalars(text(sql), params))
        stmt = (
            select(Product.id)
            .where(*self._pg_where(tier))
            .order_by(Product.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(db.session.scalars(stmt))

    def _fts5_words(self, near: bool) -> str:
        return " AND ".join(term.fts5(near) for term in self._terms())

    def _fts5(self, tier: tuple[bool, bool] | None) -> str:
        """FTS5 holds active products only, with ``name`` as a column of its own."""
        widened = self.widened
        every_word = self._fts5_words(near=widened)
        if tier is None:
            return every_word
        near, named = tier
        words = every_word if near else self._fts5_words(near=False)
        in_name = f"{{name}} : ({words})"
        expression = in_name if named else f"({words}) NOT {in_name}"
        if near:  # not the matches of the words as typed, listed before
            expression = f"({expression}) NOT ({self._fts5_words(near=False)})"
        return expression

    def facet_rows(self, among: int) -> Select:
        """PostgreSQL: the facet columns of the products for sale that match among the
        first ``among`` rows of :data:`FTS_FACETS` (a few dozen bytes a row, where
        ``product``'s are two kilobytes); a scan stops there."""
        c = select(FTS_FACETS).limit(among).subquery("first_rows").c
        return select(c.category_id, c.facility_id, c.price, c.price_band.label("band")).where(
            c.words.op("@@")(self._tsquery())
        )

    def _pg_where(self, tier: tuple[bool, bool] | None) -> list[ColumnElement]:
        where = [Product.status == "active", Product.hidden_at.is_(None)]
        if tier is None:
            return [*where, _tsvector().op("@@")(self._tsquery())]
        near, named = tier
        query = self._tsquery(near=near)
        in_name = _name_vector().op("@@")(query)
        if named:
            where.append(in_name)
        else:
            where += [_tsvector().op("@@")(query), ~in_name]
        if near:
            where.append(~_tsvector().op("@@")(self._tsquery(near=False)))
        return where

    def _tsquery_text(self, near: bool | None = None) -> str:
        near = self.widened if near is None else near
        return " & ".join(term.tsquery(near) for term in self._terms())

    def _tsquery(self, near: bool | None = None) -> ColumnElement:
        """``to_tsquery('simple', '…')`` with the words written into the SQL: a bound value
        lets a prepared statement fall back to a generic plan, which cannot know whether
        walking the newest products or reading the GIN index finds a page sooner.
        ``near``: with the near words (default: as the search's matches are)."""
        near = self.widened if near is None else near
        key = "tsquery_near" if near else "tsquery"
        words = bindparam(key, self._tsquery_text(near), literal_execute=True)
        return func.to_tsquery(_SIMPLE, words)


def build_search(query: str, *, correct: bool = True) -> Search | None:
    """A :class:`Search` for the visitor's text, or None when it holds no words.

    Words are widened with their root and synonyms; with ``correct``, a word that begins
    no catalog word (nor do its root and synonyms) is replaced by the nearest catalog word,
    when one is within one or two edits, and a word of the catalog gets its
    :func:`near_words`, searched too but listed after.
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
    check = WordCheck(frozenset(), frozenset(), {})
    if asked or short:
        check = check_words(asked, short, [token for _, token in checked])
    for i, token in enumerate(tokens):
        if token in check.whole:
            # A short word of the catalog ("tas") is that word, not the start of a
            # longer one ("tasikmalaya"); "bat", no word of its own, still finds "batik".
            terms[i] = Term(terms[i].prefixes[1:], (token, *terms[i].words))
    near: dict[str, tuple[str, ...]] = {}
    in_catalog: list[int] = []
    for i, token in checked:
        if token in check.known:
            in_catalog.append(i)
        if any(p in check.known for p in terms[i].prefixes):
            continue
        fixed = correction(token, check.candidates[token])
        if fixed:
            corrected[token] = fixed
            terms[i] = widen(fixed)
    if in_catalog:
        dialect = db.engine.dialect.name
        near = near_words([tokens[i] for i in in_catalog], check.candidates, dialect)
        for i in in_catalog:
            if tokens[i] in near:
                terms[i] = replace(terms[i], near=near[tokens[i]])
    return Search(tokens, terms, corrected, near)
