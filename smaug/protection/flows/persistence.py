"""Taskflow persistence in Smaug's database, written behind the engine.

Taskflow saves an atom's detail on every state change: four writes per task.
Committed one by one that costs seconds for a plan of a few hundred
resources, so saves are queued and a writer thread commits them in
batches, in the order they were made. A crash loses at most the last batch
(tens of milliseconds): the tasks it covered look unfinished and run again
on resume, which activities must tolerate anyway, since a crash can always
fall between a side effect and its save. Order is kept, so a finished task
is never persisted after a task that depended on it.
"""
import queue
import threading

from oslo_db import api as oslo_db_api
from oslo_log import log as logging
import sqlalchemy as sa
from taskflow import exceptions as tf_exceptions
from taskflow.persistence import base
from taskflow.persistence import models as tf_models

from smaug.db import models
from smaug.db import session

LOG = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.02
RETRY_DELAY = 0.1
MAX_RETRY_DELAY = 5.0


class _Writer(threading.Thread):
    """Commits queued flow and atom details in batches, in order."""

    def __init__(self, engine):
        super().__init__(name='flow-persistence', daemon=True)
        self._engine = engine
        self._queue = queue.Queue()

    def put(self, kind, uuid, row):
        self._queue.put((kind, uuid, row))

    def flush(self):
        """Block until everything queued so far is committed."""
        done = threading.Event()
        self._queue.put(('flush', None, done))
        done.wait()

    def run(self):
        while True:
            batch = [self._queue.get()]
            # Let the engine queue more before writing: fewer commits.
            threading.Event().wait(FLUSH_INTERVAL)
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch):
        flows, atoms, waiters = {}, {}, []
        for kind, uuid, row in batch:
            if kind == 'flush':
                waiters.append(row)
            elif kind == 'flow':
                flows[uuid] = row
            else:
                atoms[uuid] = row
        delay = RETRY_DELAY
        while True:
            try:
                with self._engine.begin() as connection:
                    _upsert(connection, models.FlowDetail.__table__, flows)
                    _upsert(connection, models.AtomDetail.__table__, atoms)
                break
            except Exception:
                # Dropping a batch would make a resumed flow redo finished
                # work; keep trying (the database may be restarting), and
                # keep the order: nothing later is written first.
                LOG.exception('Could not persist %d flow and %d atom '
                              'details; retrying in %.1fs', len(flows),
                              len(atoms), delay)
                threading.Event().wait(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)
        for waiter in waiters:
            waiter.set()


def _upsert(connection, table, rows):
    """Update existing rows by uuid and insert the missing ones."""
    if not rows:
        return
    existing = {uuid for (uuid,) in connection.execute(
        sa.select(table.c.uuid).where(table.c.uuid.in_(list(rows))))}
    now = models.utcnow()
    updates = [dict(row, b_uuid=uuid, updated_at=now)
               for uuid, row in rows.items() if uuid in existing]
    inserts = [dict(row, uuid=uuid, created_at=now, deleted=False)
               for uuid, row in rows.items() if uuid not in existing]
    if updates:
        values = {key: sa.bindparam(key) for key in updates[0]
                  if key != 'b_uuid'}
        connection.execute(
            table.update().where(table.c.uuid == sa.bindparam('b_uuid'))
            .values(values), updates)
    if inserts:
        connection.execute(table.insert(), inserts)


class FlowPersistence(base.Backend):
    """A taskflow backend over Smaug's database (tables flow_details and
    atom_details), shared by every flow of the process."""

    def __init__(self, engine=None):
        super().__init__({})
        self._engine = engine or session.get_engine()
        self._writer = _Writer(self._engine)
        self._writer.start()
        # Taskflow saves an atom without its flow, but its row needs the
        # flow's key: atom uuid -> flow uuid, for the flows of this process.
        self._atom_flows = {}
        # Flows another agent took over: this process must not write them
        # again (it would bring back a flow the new owner finished).
        self._fenced = set()

    def fence(self, flow_uuid):
        """Drop every later save of ``flow_uuid`` from this process."""
        self._fenced.add(flow_uuid)

    def get_connection(self):
        return _Connection(self)

    def close(self):
        self.flush()

    def flush(self):
        self._writer.flush()

    def load_flow_detail(self, uuid):
        """The flow detail of ``uuid`` with its atoms, or None."""
        self.flush()
        with self._engine.connect() as connection:
            flow = connection.execute(sa.select(
                models.FlowDetail.__table__.c.data).where(
                models.FlowDetail.__table__.c.uuid == uuid)).first()
            if flow is None:
                return None
            atoms = connection.execute(sa.select(
                models.AtomDetail.__table__.c.data).where(
                models.AtomDetail.__table__.c.flow_uuid == uuid)).all()
        detail = tf_models.FlowDetail.from_dict(flow.data)
        for (data,) in atoms:
            atom_class = tf_models.atom_detail_class(data['type'])
            atom = atom_class.from_dict(data['detail'])
            detail.add(atom)
            # Resumed atoms are saved on their own before their flow is.
            self._atom_flows[atom.uuid] = uuid
        return detail

    @oslo_db_api.wrap_db_retry(max_retries=10, retry_on_deadlock=True)
    def delete_flow_detail(self, uuid):
        """Forget a finished flow's state.

        Retried on deadlock: on MariaDB the delete of a large flow's atoms
        can meet other flows' writes on the same index.
        """
        self.flush()
        self._atom_flows = {atom: flow for atom, flow
                            in self._atom_flows.items() if flow != uuid}
        with self._engine.begin() as connection:
            for table in (models.AtomDetail.__table__,
                          models.FlowDetail.__table__):
                column = (table.c.flow_uuid if 'flow_uuid' in table.c
                          else table.c.uuid)
                connection.execute(table.delete().where(column == uuid))

    def save_flow(self, flow_detail):
        if flow_detail.uuid in self._fenced:
            return
        self._writer.put('flow', flow_detail.uuid, {
            'name': flow_detail.name, 'state': flow_detail.state,
            'data': flow_detail.to_dict()})
        for atom_detail in flow_detail:
            self._atom_flows[atom_detail.uuid] = flow_detail.uuid
            self._save_atom(flow_detail.uuid, atom_detail)

    def save_atom(self, atom_detail):
        flow_uuid = self._atom_flows.get(atom_detail.uuid)
        if flow_uuid is None:
            raise tf_exceptions.NotFound(
                'atom %s belongs to no saved flow' % atom_detail.uuid)
        self._save_atom(flow_uuid, atom_detail)

    def _save_atom(self, flow_uuid, atom_detail):
        if flow_uuid in self._fenced:
            return
        self._writer.put('atom', atom_detail.uuid, {
            'flow_uuid': flow_uuid, 'name': atom_detail.name,
            'state': atom_detail.state,
            'data': {'type': tf_models.atom_detail_type(atom_detail),
                     'detail': atom_detail.to_dict()}})


class _Connection(base.Connection):
    """What taskflow's storage calls; only flows and atoms are kept."""

    def __init__(self, backend):
        self._backend = backend

    @property
    def backend(self):
        return self._backend

    def close(self):
        pass

    def upgrade(self):
        pass

    def validate(self):
        pass

    def clear_all(self):
        raise NotImplementedError('flow state is deleted per operation')

    def update_flow_details(self, flow_detail, ignore_missing=False):
        self._backend.save_flow(flow_detail)
        return flow_detail

    def update_atom_details(self, atom_detail):
        self._backend.save_atom(atom_detail)
        return atom_detail

    def save_logbook(self, book):
        for flow_detail in book:
            self.update_flow_details(flow_detail)
        return book

    def get_flow_details(self, fd_uuid, lazy=False):
        detail = self._backend.load_flow_detail(fd_uuid)
        if detail is None:
            raise tf_exceptions.NotFound('no flow %s' % fd_uuid)
        return detail

    def get_atoms_for_flow(self, fd_uuid):
        return iter(self.get_flow_details(fd_uuid))

    def get_atom_details(self, ad_uuid):
        raise tf_exceptions.NotFound('atoms are read with their flow')

    def destroy_logbook(self, book_uuid):
        raise tf_exceptions.NotFound('logbooks are not kept')

    def get_logbook(self, book_uuid, lazy=False):
        raise tf_exceptions.NotFound('logbooks are not kept')

    def get_logbooks(self, lazy=False):
        return iter(())

    def get_flows_for_book(self, book_uuid):
        return iter(())

