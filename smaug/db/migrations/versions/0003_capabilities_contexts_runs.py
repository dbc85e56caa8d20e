"""Plan capabilities, the requester's context on operations, run slots.

- ``plans.required_capabilities``: capabilities every plugin of the plan
  must provide.
- ``request_context`` on checkpoints, restores, verifications and copies:
  the caller's serialised context (token included), so an agent that
  adopts an operation acts as the user who asked for it.
- ``scheduled_operations.request_context``: the creator's context, used
  when no trust can be made (noauth deployments).
- a unique (operation_id, expect_start_time) on scheduled_operation_logs:
  one row per fire time, claimed by exactly one operation engine.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(mysql.LONGTEXT(), 'mysql')
OPERATION_TABLES = ('checkpoints', 'restores', 'verifications', 'copies',
                    'scheduled_operations')
RUN_SLOT = 'uniq_scheduled_operation_logs0operation_id0expect_start_time'


def upgrade():
    op.add_column('plans', sa.Column('required_capabilities', JSON))
    for table in OPERATION_TABLES:
        op.add_column(table, sa.Column('request_context', JSON))
    with op.batch_alter_table('scheduled_operation_logs') as batch:
        batch.create_unique_constraint(
            RUN_SLOT, ['operation_id', 'expect_start_time'])


def downgrade():
    with op.batch_alter_table('scheduled_operation_logs') as batch:
        batch.drop_constraint(RUN_SLOT, type_='unique')
    for table in reversed(OPERATION_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('request_context')
    with op.batch_alter_table('plans') as batch:
        batch.drop_column('required_capabilities')
