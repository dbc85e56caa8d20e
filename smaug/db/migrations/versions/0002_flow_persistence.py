"""Persisted flow state of protection operations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(mysql.LONGTEXT(), 'mysql')
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
UUID = sa.String(36)
TABLE_OPTIONS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _bookkeeping():
    return [
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP),
        sa.Column('deleted_at', TIMESTAMP),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'flow_details',
        sa.Column('uuid', UUID, primary_key=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('state', sa.String(32)),
        sa.Column('data', JSON, nullable=False),
        *_bookkeeping(), **TABLE_OPTIONS)
    op.create_table(
        'atom_details',
        sa.Column('uuid', UUID, primary_key=True),
        sa.Column('flow_uuid', UUID,
                  sa.ForeignKey('flow_details.uuid', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('state', sa.String(32)),
        sa.Column('data', JSON, nullable=False),
        *_bookkeeping(), **TABLE_OPTIONS)
    op.create_index('ix_atom_details_flow_uuid', 'atom_details',
                    ['flow_uuid'])


def downgrade():
    op.drop_table('atom_details')
    op.drop_table('flow_details')
