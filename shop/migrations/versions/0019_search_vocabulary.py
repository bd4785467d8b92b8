"""search vocabulary: the catalog's own words, for correcting misspelt searches

Revision ID: 0016searchvocab
Revises: 0011backoffice
Create Date: 2026-12-01 07:30:00

``search_term`` holds every word of the products for sale (shop/catalog/indexing.py
keeps it). A misspelt search word is corrected to the nearest of them: on PostgreSQL
through ``pg_trgm`` similarity on a trigram GIN index, on SQLite with rapidfuzz over the
words of about the same length (``length`` is indexed for that).

The vocabulary is filled here from the products already for sale. Their search text
gains the roots of Indonesian words ("menenun" → "tenun") only when rewritten; run
``flask search-reindex`` once after upgrading to add them to every product.
"""
import sqlalchemy as sa
from alembic import op

from shop.catalog.indexing import vocabulary_words

revision = '0016searchvocab'
down_revision = '0018stripesync'
branch_labels = None
depends_on = None


def upgrade():
    term = op.create_table(
        'search_term',
        sa.Column('term', sa.String(length=40), nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('term', name=op.f('pk_search_term')),
    )
    op.create_index(op.f('ix_search_term_length'), 'search_term', ['length'])
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_search_term_trgm ON search_term USING gin (term gin_trgm_ops)"
        )
    texts = bind.execute(
        sa.text(
            "SELECT search_text FROM product WHERE status = 'active' AND hidden_at IS NULL"
        )
    ).scalars()
    words = sorted(vocabulary_words(texts))
    if words:
        op.bulk_insert(term, [{'term': w, 'length': len(w)} for w in words])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_term_trgm")
    op.drop_index(op.f('ix_search_term_length'), table_name='search_term')
    op.drop_table('search_term')
