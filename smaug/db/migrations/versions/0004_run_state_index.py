"""An index on the state of scheduled operation runs.

Every operation engine looks for running runs whose engine died (every
half ``service_down_time``); without an index that scan reads the whole
run history, which only grows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INDEX = 'ix_scheduled_operation_logs_state'


def upgrade():
    op.create_index(INDEX, 'scheduled_operation_logs', ['state'])


def downgrade():
    op.drop_index(INDEX, table_name='scheduled_operation_logs')
