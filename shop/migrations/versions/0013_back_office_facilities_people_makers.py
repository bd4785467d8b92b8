"""back office: facility settings (active, bank account, photo), dated revenue splits,
products paused with their facility, makers and their products

Revision ID: 0010backoffice1
Revises: 0008auditlog
Create Date: 2026-12-01 07:00:00

Plain ADD COLUMNs on ``facility`` (no batch mode: a table copy of ``facility`` on SQLite
would drop a table that others reference) and new tables; ``product`` (which carries the
FTS triggers on SQLite) is not altered.
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0010backoffice1'
down_revision = '0015bankstatements'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('facility', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('facility', sa.Column('bank_name', sa.String(length=80), nullable=False, server_default=''))
    op.add_column('facility', sa.Column('bank_account_number', sa.String(length=40), nullable=False, server_default=''))
    op.add_column('facility', sa.Column('bank_account_holder', sa.String(length=120), nullable=False, server_default=''))
    op.add_column('facility', sa.Column('photo_hash', sa.String(length=64), nullable=True))
    op.add_column('facility', sa.Column('photo_width', sa.Integer(), nullable=True))
    op.add_column('facility', sa.Column('photo_height', sa.Integer(), nullable=True))
    op.add_column('facility', sa.Column('photo_widths', sa.JSON(), nullable=True))

    op.create_table(
        'facility_split',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('premi_pct', sa.Integer(), nullable=False),
        sa.Column('pnbp_pct', sa.Integer(), nullable=False),
        sa.Column('capital_pct', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by', sa.String(length=254), nullable=False),
        sa.Column('recorded_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            'premi_pct >= 0 AND pnbp_pct >= 0 AND capital_pct >= 0 '
            'AND premi_pct + pnbp_pct + capital_pct = 100',
            name=op.f('ck_facility_split_split_is_whole'),
        ),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_facility_split_facility_id_facility')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_facility_split_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_split')),
        sa.UniqueConstraint('facility_id', 'valid_from', name=op.f('uq_facility_split_facility_id_valid_from')),
    )

    op.create_table(
        'facility_paused_product',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_facility_paused_product_product_id_product'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_facility_paused_product_facility_id_facility')),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_facility_paused_product')),
    )
    op.create_index(op.f('ix_facility_paused_product_facility_id'), 'facility_paused_product', ['facility_id'])

    op.create_table(
        'maker',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('consent_on', sa.Date(), nullable=False),
        sa.Column('consent_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('consent_recorded_by', sa.String(length=254), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_maker_facility_id_facility')),
        sa.ForeignKeyConstraint(['consent_recorded_by_id'], ['user_account.id'], name=op.f('fk_maker_consent_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_maker')),
    )
    op.create_index(op.f('ix_maker_facility_id'), 'maker', ['facility_id'])

    op.create_table(
        'product_maker',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('maker_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_maker_product_id_product'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['maker_id'], ['maker.id'], name=op.f('fk_product_maker_maker_id_maker'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'maker_id', name=op.f('pk_product_maker')),
    )
    op.create_index(op.f('ix_product_maker_maker_id'), 'product_maker', ['maker_id'])


def downgrade():
    op.drop_table('product_maker')
    op.drop_table('maker')
    op.drop_table('facility_paused_product')
    op.drop_table('facility_split')
    for column in (
        'photo_widths', 'photo_height', 'photo_width', 'photo_hash',
        'bank_account_holder', 'bank_account_number', 'bank_name', 'active',
    ):
        op.drop_column('facility', column)
