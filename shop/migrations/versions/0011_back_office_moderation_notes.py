"""back office: products hidden by an administrator, internal order notes

Revision ID: 0011backoffice
Revises: 0008auditlog
Create Date: 2026-12-01 07:00:00

``product.hidden_at`` / ``hidden_reason``: a hidden product leaves the public catalog
whatever its status. On SQLite the FTS5 triggers (migration 0007) index only products
that are active *and* not hidden, so search never reads a hidden one; they are
recreated here (plain ``add_column``, no batch mode: batch would recreate ``product``
and drop the triggers).
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0011backoffice'
down_revision = '0009moneycore'
branch_labels = None
depends_on = None

_LISTED = "{row}.status = 'active' AND {row}.hidden_at IS NULL"


def _triggers(listed: str, columns: str) -> list[str]:
    new, old = listed.format(row="new"), listed.format(row="old")
    return [
        f"""CREATE TRIGGER product_fts_ai AFTER INSERT ON product
            WHEN {new} BEGIN
            INSERT INTO product_fts(rowid, name, search_text)
            VALUES (new.id, new.name, new.search_text);
        END""",
        f"""CREATE TRIGGER product_fts_ad AFTER DELETE ON product
            WHEN {old} BEGIN
            INSERT INTO product_fts(product_fts, rowid, name, search_text)
            VALUES ('delete', old.id, old.name, old.search_text);
        END""",
        f"""CREATE TRIGGER product_fts_au AFTER UPDATE OF {columns} ON product BEGIN
            INSERT INTO product_fts(product_fts, rowid, name, search_text)
            SELECT 'delete', old.id, old.name, old.search_text WHERE {old};
            INSERT INTO product_fts(rowid, name, search_text)
            SELECT new.id, new.name, new.search_text WHERE {new};
        END""",
    ]


def _replace_triggers(statements: list[str]) -> None:
    for name in ("product_fts_ai", "product_fts_ad", "product_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.add_column('product', sa.Column('hidden_at', UTCDateTime(), nullable=True))
    op.add_column(
        'product',
        sa.Column('hidden_reason', sa.String(length=300), server_default='', nullable=False),
    )
    op.create_table(
        'order_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('author', sa.String(length=254), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_order_note_order_id_shop_order')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_order_note_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_note')),
    )
    op.create_index(op.f('ix_order_note_order_id'), 'order_note', ['order_id'])
    if op.get_bind().dialect.name == 'sqlite':
        _replace_triggers(_triggers(_LISTED, "name, search_text, status, hidden_at"))


def downgrade():
    op.drop_index(op.f('ix_order_note_order_id'), table_name='order_note')
    op.drop_table('order_note')
    with op.batch_alter_table('product') as batch:
        batch.drop_column('hidden_reason')
        batch.drop_column('hidden_at')
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode recreated ``product``: the triggers of migration 0007 come back, and
        # the index holds every active product again.
        _replace_triggers(_triggers("{row}.status = 'active'", "name, search_text, status"))
        op.execute("INSERT INTO product_fts(product_fts) VALUES ('delete-all')")
        op.execute(
            "INSERT INTO product_fts(rowid, name, search_text) "
            "SELECT id, name, search_text FROM product WHERE status = 'active'"
        )
