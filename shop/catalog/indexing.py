"""The text that full-text search indexes for a product (kept on ``product.search_text``).

SQLite's FTS5 table is fed by triggers on that column, PostgreSQL indexes
``to_tsvector('simple', search_text)``; whoever creates or edits a product, or renames
a facility or category, refreshes it with :func:`search_text_for`.
"""

from __future__ import annotations


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
    return " \n".join(part.strip() for part in parts if part and part.strip())


# Full-text search objects that migrations create by hand (0001, 0006, 0007) and the
# models do not declare: SQLite's FTS5 table ``product_fts`` (and the shadow tables FTS5
# keeps beside it), PostgreSQL's generated ``tsvector`` columns and their GIN indexes.
FTS_TABLE_PREFIX = "product_fts"
FTS_COLUMNS = {("product", "search_vector"), ("product", "name_vector")}
FTS_INDEXES = {"ix_product_search", "ix_product_search_vector", "ix_product_name_vector"}


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
