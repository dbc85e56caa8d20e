"""The initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# The column types of smaug.db.models as they were at this revision; a
# migration must not change when the models do.
JSON = sa.JSON().with_variant(mysql.LONGTEXT(), 'mysql')
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
UUID = sa.String(36)
TABLE_OPTIONS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

# Parents before children; downgrade drops them in reverse.
TABLES = ('services', 'plans', 'plan_resources', 'checkpoints', 'restores',
          'verifications', 'copies', 'operation_logs', 'triggers',
          'trigger_executions', 'scheduled_operations',
          'scheduled_operation_states', 'scheduled_operation_logs', 'quotas',
          'quota_classes', 'quota_usages', 'reservations')


def _bookkeeping():
    """Timestamps and the soft-delete flag, the last columns of each table."""
    return [
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP),
        sa.Column('deleted_at', TIMESTAMP),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def _lease():
    return [
        sa.Column('owner', sa.String(255)),
        sa.Column('lease_expires_at', TIMESTAMP),
        sa.Column('error_reason', sa.Text()),
    ]


def _serial_id():
    return sa.Column('id', sa.Integer(), primary_key=True,
                     autoincrement=True)


def _uuid_id():
    return sa.Column('id', UUID, primary_key=True)


def _project_id():
    return sa.Column('project_id', sa.String(255), nullable=False)


def _create_table(name, *columns, indexed=()):
    op.create_table(name, *columns, *_bookkeeping(), **TABLE_OPTIONS)
    for column in indexed:
        op.create_index('ix_%s_%s' % (name, column), name, [column])


def upgrade():
    _create_table(
        'services',
        _serial_id(),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255), nullable=False),
        sa.Column('report_count', sa.Integer(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.String(255)),
        sa.Column('modified_at', TIMESTAMP),
        sa.Column('rpc_current_version', sa.String(36)),
        sa.Column('rpc_available_version', sa.String(36)),
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'))
    _create_table(
        'plans',
        _uuid_id(),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('provider_id', UUID, nullable=False),
        _project_id(),
        sa.Column('user_id', sa.String(255)),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('parameters', JSON, nullable=False),
        indexed=['project_id'])
    _create_table(
        'plan_resources',
        _serial_id(),
        sa.Column('plan_id', UUID,
                  sa.ForeignKey('plans.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('resource_type', sa.String(64), nullable=False),
        sa.Column('resource_name', sa.String(255)),
        sa.Column('resource_extra_info', JSON),
        indexed=['plan_id'])
    _create_table(
        'checkpoints',
        _uuid_id(),
        _project_id(),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', UUID, nullable=False),
        sa.Column('plan_id', UUID, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('protection_plan', JSON, nullable=False),
        sa.Column('resource_graph', JSON),
        sa.Column('extra_info', JSON),
        sa.Column('resources_status', JSON),
        sa.Column('resources_reason', JSON),
        sa.Column('progress', JSON),
        sa.Column('started_at', TIMESTAMP),
        sa.Column('ended_at', TIMESTAMP),
        *_lease(),
        indexed=['project_id', 'provider_id', 'plan_id', 'status',
                 'lease_expires_at'])
    _create_table(
        'restores',
        _uuid_id(),
        _project_id(),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', UUID, nullable=False),
        sa.Column('checkpoint_id', UUID, nullable=False),
        sa.Column('restore_target', sa.String(255)),
        sa.Column('restore_auth', JSON),
        sa.Column('parameters', JSON, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources_status', JSON),
        sa.Column('resources_reason', JSON),
        sa.Column('progress', JSON),
        *_lease(),
        indexed=['project_id', 'checkpoint_id', 'status',
                 'lease_expires_at'])
    _create_table(
        'verifications',
        _uuid_id(),
        _project_id(),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', UUID, nullable=False),
        sa.Column('checkpoint_id', UUID, nullable=False),
        sa.Column('parameters', JSON, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources_status', JSON),
        sa.Column('resources_reason', JSON),
        *_lease(),
        indexed=['project_id', 'checkpoint_id', 'status',
                 'lease_expires_at'])
    _create_table(
        'copies',
        _uuid_id(),
        _project_id(),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', UUID, nullable=False),
        sa.Column('plan_id', UUID, nullable=False),
        sa.Column('parameters', JSON, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('checkpoint_pairs', JSON),
        *_lease(),
        indexed=['project_id', 'plan_id', 'lease_expires_at'])
    _create_table(
        'operation_logs',
        _uuid_id(),
        _project_id(),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('checkpoint_id', UUID),
        sa.Column('plan_id', UUID),
        sa.Column('provider_id', UUID),
        sa.Column('restore_id', UUID),
        sa.Column('verification_id', UUID),
        sa.Column('copy_id', UUID),
        sa.Column('scheduled_operation_id', UUID),
        sa.Column('status', sa.String(64)),
        sa.Column('started_at', TIMESTAMP),
        sa.Column('ended_at', TIMESTAMP),
        sa.Column('error_info', sa.Text()),
        sa.Column('extra_info', JSON),
        indexed=['project_id', 'checkpoint_id', 'plan_id', 'restore_id',
                 'scheduled_operation_id'])
    _create_table(
        'triggers',
        _uuid_id(),
        sa.Column('name', sa.String(255), nullable=False),
        _project_id(),
        sa.Column('type', sa.String(64), nullable=False),
        sa.Column('properties', JSON, nullable=False),
        indexed=['project_id'])
    _create_table(
        'trigger_executions',
        _uuid_id(),
        sa.Column('trigger_id', UUID, nullable=False, unique=True),
        sa.Column('execution_time', TIMESTAMP, nullable=False),
        indexed=['execution_time'])
    _create_table(
        'scheduled_operations',
        _uuid_id(),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('user_id', sa.String(255)),
        _project_id(),
        sa.Column('trigger_id', UUID, sa.ForeignKey('triggers.id'),
                  nullable=False),
        sa.Column('operation_definition', JSON, nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        indexed=['project_id', 'trigger_id'])
    _create_table(
        'scheduled_operation_states',
        _serial_id(),
        sa.Column('operation_id', UUID,
                  sa.ForeignKey('scheduled_operations.id',
                                ondelete='CASCADE'),
                  nullable=False, unique=True),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('services.id')),
        sa.Column('trust_id', sa.String(255)),
        sa.Column('state', sa.String(32), nullable=False),
        sa.Column('end_time_for_run', TIMESTAMP))
    _create_table(
        'scheduled_operation_logs',
        _serial_id(),
        sa.Column('operation_id', UUID,
                  sa.ForeignKey('scheduled_operations.id',
                                ondelete='CASCADE'),
                  nullable=False),
        sa.Column('expect_start_time', TIMESTAMP),
        sa.Column('triggered_time', TIMESTAMP),
        sa.Column('actual_start_time', TIMESTAMP),
        sa.Column('end_time', TIMESTAMP),
        sa.Column('state', sa.String(64), nullable=False),
        sa.Column('checkpoint_id', UUID),
        sa.Column('error', sa.Text()),
        sa.Column('extend_info', JSON),
        indexed=['operation_id'])
    _create_table(
        'quotas',
        _serial_id(),
        _project_id(),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        indexed=['project_id'])
    _create_table(
        'quota_classes',
        _serial_id(),
        sa.Column('class_name', sa.String(255), nullable=False),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        indexed=['class_name'])
    _create_table(
        'quota_usages',
        _serial_id(),
        _project_id(),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('in_use', sa.Integer(), nullable=False),
        sa.Column('reserved', sa.Integer(), nullable=False),
        sa.Column('until_refresh', sa.Integer()),
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quota_usages0project_id0resource'),
        indexed=['project_id'])
    _create_table(
        'reservations',
        _serial_id(),
        sa.Column('uuid', UUID, nullable=False),
        sa.Column('usage_id', sa.Integer(), sa.ForeignKey('quota_usages.id'),
                  nullable=False),
        _project_id(),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.Column('expire', TIMESTAMP, nullable=False),
        indexed=['uuid', 'project_id'])


def downgrade():
    for name in reversed(TABLES):
        op.drop_table(name)
