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
