"""catalog version: one row raised by every change a public page shows

Revision ID: 0023catalogversion
Revises: 0022listingidx
Create Date: 2026-12-06 06:20:00

Each process keeps rendered catalog pages (shop/catalog/page_cache.py); a staff or
administrator edit raises this number in the edit's own transaction, and every process
that reads a new number forgets what it kept (shop/catalog/freshness.py).
"""

import sqlalchemy as sa
from alembic import op

revision = '0023catalogversion'
down_revision = '0022listingidx'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'catalog_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 1}])


def downgrade():
    op.drop_table('catalog_version')
