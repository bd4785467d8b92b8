"""the product's price band, computed by the database, with an index for a band's newest

Revision ID: 0025pricebandidx
Revises: 0024productprovince
Create Date: 2026-12-06 15:10:00

Newest first within a price band walked ``ix_product_status_created`` and skipped every
product outside the band: page 100 of one band read ~15,000 index entries at 50,000
products (5.2–6.1 ms on PostgreSQL, bench/RESULTS.md "Deep listing pages"). A range that
lies inside one band (a facet link, or any narrower range) now also says the band, and
``(status, price_band, created_at, id, hidden_at)`` reads the page in order.

The band is a generated column, so no write path can leave it behind: stored on
PostgreSQL (which rewrites the table once), virtual on SQLite (which can add only a
virtual generated column in place; the index stores its values). The expression is the
one of ``PRICE_BANDS`` at this revision, written out: changing the bands needs a new
migration.
"""

import sqlalchemy as sa
from alembic import op

revision = '0025pricebandidx'
down_revision = '0024productprovince'
branch_labels = None
depends_on = None

_BAND = (
    'CASE WHEN price < 100000 THEN 0 WHEN price < 250000 THEN 1 '
    'WHEN price < 500000 THEN 2 ELSE 3 END'
)
_INDEX = (
    'ix_product_band_created',
    ('status', 'price_band', 'created_at', 'id', 'hidden_at', 'price'),
)


def upgrade():
    # SQLite adds only a virtual generated column to an existing table.
    stored = op.get_bind().dialect.name != 'sqlite'
    computed = sa.Computed(_BAND, persisted=True if stored else None)
    op.add_column('product', sa.Column('price_band', sa.SmallInteger(), computed, nullable=False))
    op.create_index(_INDEX[0], 'product', list(_INDEX[1]))


def downgrade():
    op.drop_index(_INDEX[0], table_name='product')
    op.drop_column('product', 'price_band')
