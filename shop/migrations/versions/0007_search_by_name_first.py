"""search by name first: active products only in FTS5, a name column, longer prefix indexes; a name tsvector on PostgreSQL; listing indexes with the id

Revision ID: 4d7e1f0a9b23
Revises: 9c2e5a7b1d40
Create Date: 2026-11-22 16:40:00

A plain search lists the products whose name holds every searched word first, then the
other matches, newest first within each, reading the full-text index in id order and
stopping after one page (shop/catalog/search.py). For that the index must answer both
questions on its own:

- SQLite: ``product_fts`` gets a ``name`` column beside ``search_text`` (a column filter
  tells name matches apart), holds active products only (the triggers check ``status``,
  so no lookup in ``product`` is needed to skip drafts), and has prefix indexes up to 12
  letters (without one, FTS5 merges every posting list of a prefix before returning the
  first row; with one it reads the list lazily).
- PostgreSQL: a stored ``name_vector`` with a GIN index beside ``search_vector``.

Listing pages find their ids first and read only those rows (a deferred join); the
listing indexes get the id, the tie-break of every listing order, so that a deep page is
read from the index alone on PostgreSQL too (SQLite's indexes hold the rowid anyway).

Plain ``op.execute`` only: batch mode would recreate ``product`` on SQLite and drop the
FTS triggers (a later migration that must use it recreates them from ``SQLITE_FTS``).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4d7e1f0a9b23'
down_revision = '9c2e5a7b1d40'
branch_labels = None
depends_on = None

_TRIGGERS = ("product_fts_ai", "product_fts_ad", "product_fts_au")
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"

SQLITE_FTS = [
    f"""CREATE VIRTUAL TABLE product_fts USING fts5(
        name, search_text, content='product', content_rowid='id', {_TOKENIZE},
        prefix='2 3 4 5 6 7 8 9 10 11 12')""",
    """CREATE TRIGGER product_fts_ai AFTER INSERT ON product
        WHEN new.status = 'active' BEGIN
        INSERT INTO product_fts(rowid, name, search_text)
        VALUES (new.id, new.name, new.search_text);
    END""",
    """CREATE TRIGGER product_fts_ad AFTER DELETE ON product
        WHEN old.status = 'active' BEGIN
        INSERT INTO product_fts(product_fts, rowid, name, search_text)
        VALUES ('delete', old.id, old.name, old.search_text);
    END""",
    """CREATE TRIGGER product_fts_au AFTER UPDATE OF name, search_text, status ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, name, search_text)
        SELECT 'delete', old.id, old.name, old.search_text WHERE old.status = 'active';
        INSERT INTO product_fts(rowid, name, search_text)
        SELECT new.id, new.name, new.search_text WHERE new.status = 'active';
    END""",
    """INSERT INTO product_fts(rowid, name, search_text)
        SELECT id, name, search_text FROM product WHERE status = 'active'""",
]

# As migration 0001 made them.
SQLITE_FTS_0001 = [
    f"""CREATE VIRTUAL TABLE product_fts USING fts5(
        search_text, content='product', content_rowid='id', {_TOKENIZE}, prefix='2 3 4')""",
    """CREATE TRIGGER product_fts_ai AFTER INSERT ON product BEGIN
        INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER product_fts_ad AFTER DELETE ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER product_fts_au AFTER UPDATE OF search_text ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO product_fts(product_fts) VALUES ('rebuild')",
]


def _replace_sqlite_fts(statements):
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS product_fts")
    for statement in statements:
        op.execute(statement)


_LISTING_INDEXES = {
    'ix_product_status_created': ('status', 'created_at'),
    'ix_product_status_price': ('status', 'price'),
}


def _replace_listing_indexes(with_id: bool):
    for name, columns in _LISTING_INDEXES.items():
        op.drop_index(name, table_name='product')
        op.create_index(name, 'product', [*columns, *(['id'] if with_id else [])])


def upgrade():
    _replace_listing_indexes(with_id=True)
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _replace_sqlite_fts(SQLITE_FTS)
    elif dialect == 'postgresql':
        op.execute(
            "ALTER TABLE product ADD COLUMN name_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED"
        )
        op.execute("CREATE INDEX ix_product_name_vector ON product USING gin (name_vector)")


def downgrade():
    _replace_listing_indexes(with_id=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _replace_sqlite_fts(SQLITE_FTS_0001)
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_product_name_vector")
        op.execute("ALTER TABLE product DROP COLUMN name_vector")
