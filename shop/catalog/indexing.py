"""The text that full-text search indexes for a product (kept on ``product.search_text``),
and the vocabulary of the catalog's own words that misspelt searches are corrected to.

SQLite's FTS5 table is fed by triggers on that column, PostgreSQL indexes
``to_tsvector('simple', search_text)``; whoever creates or edits a product, or renames
a facility or category, refreshes it with :func:`search_text_for`.

Indonesian word forms: the text ends with the root (Sastrawi stemmer) of every word that
has affixes ("menenun" → "tenun", "anyaman" → "anyam"), and the search stems the
visitor's words the same way (shop/catalog/search.py), so either form finds the other.

The vocabulary (``search_term``) gets the words of every product written through the ORM
(an ``after_flush`` hook, so services, moderation and test factories alike) and of bulk
inserts that call :func:`record_terms`. Words are never removed: a word no product uses
any more can still be offered as a correction, which then finds nothing; `flask
search-reindex` rebuilds the vocabulary from the products for sale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import event, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Words shorter than this are not corrected to (nor from): too many near neighbours.
MIN_TERM_LENGTH = 3
MAX_TERM_LENGTH = 40


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The Indonesian root of one lower-case word ("ukiran" → "ukir"); the word itself
    when it has none (English and unknown words come back unchanged)."""
    if len(word) < 4 or not word.isalpha():
        return word
    return _stemmer().stem(word) or word


def words_of(text: str) -> list[str]:
    """Lower-case words (letters only) of ``text``, in order, with repeats."""
    return _WORD.findall(text.casefold())


def root_forms(text: str) -> list[str]:
    """The roots of the words of ``text`` that differ from every word already in it."""
    words = words_of(text)
    present = set(words)
    roots: list[str] = []
    for word in words:
        root = stem(word)
        if root not in present:
            present.add(root)
            roots.append(root)
    return roots


def search_text_for(
    *,
    name: str,
    description: str = "",
    technique: str = "",
    materials: str = "",
    facility_name: str = "",
    facility_city: str = "",
    category_names: tuple[str, ...] = (),
) -> str:
    parts = [name, technique, materials, *category_names, facility_name, facility_city, description]
    text = " \n".join(part.strip() for part in parts if part and part.strip())
    roots = root_forms(text)
    return f"{text} \n{' '.join(roots)}" if roots else text


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The words of ``texts`` worth correcting a misspelling to."""
    return {
        word
        for text in texts
        for word in words_of(text)
        if MIN_TERM_LENGTH <= len(word) <= MAX_TERM_LENGTH
    }


def record_terms(session: Session, texts: Iterable[str]) -> None:
    """Add the words of ``texts`` to the vocabulary (those already there are skipped)."""
    from shop.catalog.models import SearchTerm

    words = sorted(vocabulary_words(texts))
    if not words:
        return
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = [{"term": word, "length": len(word)} for word in words]
    for start in range(0, len(rows), 500):
        stmt = insert(SearchTerm).on_conflict_do_nothing(index_elements=["term"])
        connection.execute(stmt, rows[start : start + 500])


def rebuild_terms(session: Session) -> int:
    """Empty the vocabulary and fill it from the products for sale; returns its size."""
    from shop.catalog.models import Product, SearchTerm

    session.execute(SearchTerm.__table__.delete())
    texts = session.scalars(
        select(Product.search_text).where(Product.status == "active", Product.hidden_at.is_(None))
    )
    record_terms(session, texts)
    return session.scalar(select(func.count()).select_from(SearchTerm)) or 0


def _reindexed(product) -> bool:
    """New, or its text or publication changed (not a stock change, say)."""
    state = inspect(product)
    if state.pending or not state.has_identity:
        return True
    attrs = state.attrs
    return any(
        getattr(attrs, name).history.has_changes()
        for name in ("search_text", "status", "hidden_at")
    )


@event.listens_for(Session, "after_flush")
def _record_flushed_terms(session: Session, _flush_context) -> None:
    from shop.catalog.models import Product

    texts = [
        obj.search_text
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Product) and obj.for_sale and obj.search_text and _reindexed(obj)
    ]
    if texts:
        record_terms(session, texts)


# Full-text search objects that migrations create by hand (0001, 0006, 0007, 0028) and
# the models do not declare: SQLite's FTS5 table ``product_fts`` (and the shadow tables
# FTS5 keeps beside it), PostgreSQL's generated ``tsvector`` columns, their GIN indexes
# and the narrow copy ``product_fts_facets``.
FTS_TABLE_PREFIX = "product_fts"
FTS_COLUMNS = {("product", "search_vector"), ("product", "name_vector")}
FTS_INDEXES = {
    "ix_product_search",
    "ix_product_search_vector",
    "ix_product_name_vector",
    "ix_search_term_trgm",  # pg_trgm on the search vocabulary (migration 0019)
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: autogenerate leaves the full-text search objects alone
    (otherwise ``flask db migrate`` would write a migration dropping them)."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE_PREFIX)
    if type_ == "column":
        return (obj.table.name, name) not in FTS_COLUMNS
    if type_ == "index":
        return name not in FTS_INDEXES
    return True
