"""SQLAlchemy models of every table Smaug keeps.

The alembic migrations in ``smaug/db/migrations`` create exactly this schema;
a test compares the two on every supported database.
"""
import datetime
import json

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

# MySQL's DATETIME drops fractions of a second unless asked: checkpoints,
# retention and paging all order by exact creation time.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
UUID_LENGTH = 36


class JSON(sa.types.TypeDecorator):
    """A JSON document; LONGTEXT on MySQL and MariaDB.

    MariaDB's JSON is an alias of LONGTEXT that reflects as LONGTEXT, so the
    schema says LONGTEXT there and the documents are encoded here. Python's
    None is stored as SQL NULL on every database.
    """

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'mysql':
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(sa.JSON(none_as_null=True))

    def process_bind_param(self, value, dialect):
        if dialect.name == 'mysql' and value is not None:
            return json.dumps(value)
        return value

    def process_result_value(self, value, dialect):
        if dialect.name == 'mysql' and value is not None:
            return json.loads(value)
        return value


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    """Timestamps and soft deletion, as every table has them."""

    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        Timestamp, default=utcnow, nullable=False)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp, onupdate=utcnow)
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    deleted: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, default=False, nullable=False)

    def to_dict(self):
        return {column.key: getattr(self, column.key)
                for column in self.__table__.columns}


def _uuid_pk():
    return orm.mapped_column(sa.String(UUID_LENGTH), primary_key=True)


def _project_id():
    return orm.mapped_column(sa.String(255), nullable=False, index=True)


def _json(nullable=True):
    return orm.mapped_column(JSON(), nullable=nullable)


class LeaseMixin:
    """An operation that an agent claims: owner, lease end and error.

    ``request_context`` is the caller's serialised context, so whichever
    agent runs the operation acts as the user who asked for it.
    """

    owner: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    lease_expires_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(Timestamp, index=True))
    error_reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    request_context: orm.Mapped[dict | None] = _json()


class Service(Base):
    __tablename__ = 'services'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    binary: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    topic: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    report_count: orm.Mapped[int] = orm.mapped_column(default=0)
    disabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    disabled_reason: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255))
    modified_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    rpc_current_version: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36))
    rpc_available_version: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36))

    __table_args__ = (
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'),
    )


class Plan(Base):
    __tablename__ = 'plans'

    id: orm.Mapped[str] = _uuid_pk()
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    provider_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH))
    project_id: orm.Mapped[str] = _project_id()
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    parameters: orm.Mapped[dict] = _json(nullable=False)
    required_capabilities: orm.Mapped[list | None] = _json()

    resources: orm.Mapped[list['PlanResource']] = orm.relationship(
        back_populates='plan', cascade='all, delete-orphan',
        order_by='PlanResource.id', lazy='selectin')


class PlanResource(Base):
    __tablename__ = 'plan_resources'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    plan_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    resource_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    resource_type: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    resource_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    resource_extra_info: orm.Mapped[dict | None] = _json()

    plan: orm.Mapped[Plan] = orm.relationship(back_populates='resources')


class Checkpoint(LeaseMixin, Base):
    """The database's record of a checkpoint; the bank holds its data."""

    __tablename__ = 'checkpoints'

    id: orm.Mapped[str] = _uuid_pk()
    project_id: orm.Mapped[str] = _project_id()
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    provider_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    plan_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH),
                                                 index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(64), index=True)
    protection_plan: orm.Mapped[dict] = _json(nullable=False)
    resource_graph: orm.Mapped[list | None] = _json()
    extra_info: orm.Mapped[dict | None] = _json()
    resources_status: orm.Mapped[dict | None] = _json()
    resources_reason: orm.Mapped[dict | None] = _json()
    progress: orm.Mapped[dict | None] = _json()
    started_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    ended_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)


class Restore(LeaseMixin, Base):
    __tablename__ = 'restores'

    id: orm.Mapped[str] = _uuid_pk()
    project_id: orm.Mapped[str] = _project_id()
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    provider_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH))
    checkpoint_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    restore_target: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255))
    restore_auth: orm.Mapped[dict | None] = _json()
    parameters: orm.Mapped[dict] = _json(nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(64), index=True)
    resources_status: orm.Mapped[dict | None] = _json()
    resources_reason: orm.Mapped[dict | None] = _json()
    progress: orm.Mapped[dict | None] = _json()


class Verification(LeaseMixin, Base):
    __tablename__ = 'verifications'

    id: orm.Mapped[str] = _uuid_pk()
    project_id: orm.Mapped[str] = _project_id()
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    provider_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH))
    checkpoint_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    parameters: orm.Mapped[dict] = _json(nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(64), index=True)
    resources_status: orm.Mapped[dict | None] = _json()
    resources_reason: orm.Mapped[dict | None] = _json()


class Copy(LeaseMixin, Base):
    """A request to copy a plan's checkpoints; one row per request."""

    __tablename__ = 'copies'

    id: orm.Mapped[str] = _uuid_pk()
    project_id: orm.Mapped[str] = _project_id()
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    provider_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH))
    plan_id: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH),
                                                 index=True)
    parameters: orm.Mapped[dict] = _json(nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    checkpoint_pairs: orm.Mapped[list | None] = _json()


class OperationLog(Base):
    __tablename__ = 'operation_logs'

    id: orm.Mapped[str] = _uuid_pk()
    project_id: orm.Mapped[str] = _project_id()
    operation_type: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    checkpoint_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    plan_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    provider_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH))
    restore_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    verification_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH))
    copy_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH))
    scheduled_operation_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH), index=True)
    status: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    started_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    ended_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    error_info: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extra_info: orm.Mapped[dict | None] = _json()


class Trigger(Base):
    __tablename__ = 'triggers'

    id: orm.Mapped[str] = _uuid_pk()
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str] = _project_id()
    type: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    properties: orm.Mapped[dict] = _json(nullable=False)


class TriggerExecution(Base):
    """The next fire time of a trigger, claimed by one operation engine."""

    __tablename__ = 'trigger_executions'

    id: orm.Mapped[str] = _uuid_pk()
    trigger_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), unique=True)
    execution_time: orm.Mapped[datetime.datetime] = orm.mapped_column(
        Timestamp, index=True)


class ScheduledOperation(Base):
    __tablename__ = 'scheduled_operations'

    id: orm.Mapped[str] = _uuid_pk()
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    operation_type: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str] = _project_id()
    trigger_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey('triggers.id'), index=True)
    operation_definition: orm.Mapped[dict] = _json(nullable=False)
    enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    request_context: orm.Mapped[dict | None] = _json()


class ScheduledOperationState(Base):
    __tablename__ = 'scheduled_operation_states'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    operation_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey('scheduled_operations.id', ondelete='CASCADE'),
        unique=True)
    service_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey('services.id'))
    trust_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    state: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    end_time_for_run: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(Timestamp))


class ScheduledOperationLog(Base):
    __tablename__ = 'scheduled_operation_logs'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    operation_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey('scheduled_operations.id', ondelete='CASCADE'),
        index=True)
    expect_start_time: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(Timestamp))
    triggered_time: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(Timestamp))
    actual_start_time: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(Timestamp))
    end_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        Timestamp)
    state: orm.Mapped[str] = orm.mapped_column(sa.String(64), index=True)
    checkpoint_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(UUID_LENGTH))
    error: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extend_info: orm.Mapped[dict | None] = _json()

    __table_args__ = (
        sa.UniqueConstraint(
            'operation_id', 'expect_start_time',
            name='uniq_scheduled_operation_logs0operation_id0'
                 'expect_start_time'),
    )


class Quota(Base):
    __tablename__ = 'quotas'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    project_id: orm.Mapped[str] = _project_id()
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hard_limit: orm.Mapped[int] = orm.mapped_column()


class QuotaClass(Base):
    __tablename__ = 'quota_classes'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    class_name: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                    index=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hard_limit: orm.Mapped[int] = orm.mapped_column()


class QuotaUsage(Base):
    __tablename__ = 'quota_usages'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    project_id: orm.Mapped[str] = _project_id()
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    in_use: orm.Mapped[int] = orm.mapped_column(default=0)
    reserved: orm.Mapped[int] = orm.mapped_column(default=0)
    until_refresh: orm.Mapped[int | None] = orm.mapped_column()

    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quota_usages0project_id0resource'),
    )


class Reservation(Base):
    __tablename__ = 'reservations'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True,
                                            autoincrement=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH),
                                              index=True)
    usage_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('quota_usages.id'))
    project_id: orm.Mapped[str] = _project_id()
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    delta: orm.Mapped[int] = orm.mapped_column()
    expire: orm.Mapped[datetime.datetime] = orm.mapped_column(Timestamp)


class FlowDetail(Base):
    """The persisted state of one operation's taskflow flow."""

    __tablename__ = 'flow_details'

    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH),
                                              primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    state: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    data: orm.Mapped[dict] = _json(nullable=False)


class AtomDetail(Base):
    """The persisted state of one task of a flow: state, result, failure."""

    __tablename__ = 'atom_details'

    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(UUID_LENGTH),
                                              primary_key=True)
    flow_uuid: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey('flow_details.uuid', ondelete='CASCADE'), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    state: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    data: orm.Mapped[dict] = _json(nullable=False)
