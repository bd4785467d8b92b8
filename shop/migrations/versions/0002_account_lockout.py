"""account lockout: failed login count, lock expiry, last sign-in

Revision ID: 5d1e7a2c9b30
Revises: a8bc9c4a037e
Create Date: 2026-11-22 16:00:00

"""
from alembic import op
import sqlalchemy as sa

import shop.sqltypes


revision = '5d1e7a2c9b30'
down_revision = 'a8bc9c4a037e'
branch_labels = None
depends_on = None


def upgrade():
    # user_account has no triggers, so batch mode (a table copy on SQLite) is safe here.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', shop.sqltypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
