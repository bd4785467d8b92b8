"""mail outbox: a message is claimed (status 'sending', a claim token and time) before it
is sent, and marked sent only by the holder of that claim

Revision ID: 0013mailclaim
Revises: 0008auditlog
Create Date: 2026-12-01 07:00:00
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0013mailclaim'
down_revision = '0010backoffice1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', UTCDateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_mail_outbox_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_mail_outbox_status_known'),
            "status IN ('pending', 'sending', 'sent', 'failed')",
        )


def downgrade():
    op.execute(
        "UPDATE mail_outbox SET status = 'pending' WHERE status = 'sending'"
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_mail_outbox_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_mail_outbox_status_known'), "status IN ('pending', 'sent', 'failed')"
        )
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim_token')
