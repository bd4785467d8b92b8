"""search vectors kept in the product's row on PostgreSQL, not out of line

Revision ID: 0027vectorsinrow
Revises: 0026facetcolumns
Create Date: 2026-12-06 19:40:00

PostgreSQL moves the widest value of a row longer than ~2 kB out of line (TOAST), and
in a product's row that is often the stored search vector. A search that tests rows one
by one (counting up to the bound, shop/catalog/services.py) then also reads the TOAST
index and table for each of those rows: two common words at 100,000 products read 3,900
pages for 6,000 rows (10 ms) instead of 1,500 (5 ms). Storage MAIN keeps both vectors in
the row: the description and the search text, which no search reads, go out of line
first.

The new storage applies to rows as they are written, so the table is rewritten once
(``CLUSTER`` by the primary key: inside the migration's transaction, unlike
``VACUUM FULL``). It holds an exclusive lock on ``product`` while it runs: about 5 s at
100,000 products. Nothing to do on SQLite.
"""

from alembic import op

revision = '0027vectorsinrow'
down_revision = '0026facetcolumns'
branch_labels = None
depends_on = None

_VECTORS = ('search_vector', 'name_vector')


def _store_vectors(storage: str) -> None:
    columns = ', '.join(f'ALTER COLUMN {name} SET STORAGE {storage}' for name in _VECTORS)
    op.execute(f'ALTER TABLE product {columns}')
    op.execute('CLUSTER product USING pk_product')  # rewrites every row
    op.execute('ALTER TABLE product SET WITHOUT CLUSTER')  # a one-off, not a setting


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _store_vectors('MAIN')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _store_vectors('EXTENDED')
