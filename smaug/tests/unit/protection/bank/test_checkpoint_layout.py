"""How checkpoints live in a bank: documents, indices, listing, deletion."""
import datetime
import re

import pytest

from smaug import exception
from smaug import states
from smaug.protection.bank import base
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.resource import Resource

PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
T0 = datetime.datetime(2024, 5, 1, 10, 0, 0)


def record(checkpoint_id, project='project-1', plan='plan-1', seconds=0,
           status=states.CheckpointStatus.AVAILABLE):
    return {
        'id': checkpoint_id,
        'status': status,
        'user_id': 'user-1',
        'provider_id': PROVIDER,
        'project_id': project,
        'protection_plan': {
            'id': plan, 'name': 'nightly', 'provider_id': PROVIDER,
            'resources': [{'type': 'OS::Nova::Server', 'id': 'vm-1',
                           'name': 'web'}]},
        'extra_info': {'created_by': 'manual'},
        'created_at': T0 + datetime.timedelta(seconds=seconds),
        'resource_graph': [{'0x0': ['OS::Nova::Server', 'vm-1', 'web', {}]},
                           []],
    }


def ids(entries):
    return [entry['id'] for entry in entries]


def test_checkpoint_round_trips_through_its_index_json(fs_bank):
    written = layout.write_checkpoint(fs_bank, record('c-1'))

    document = layout.read_checkpoint(fs_bank, 'c-1')

    assert document == written
    assert document == {
        'version': 1, 'id': 'c-1', 'status': 'available',
        'owner_id': 'user-1', 'provider_id': PROVIDER,
        'project_id': 'project-1',
        'protection_plan': record('c-1')['protection_plan'],
        'extra_info': {'created_by': 'manual'},
        'created_at': '2024-05-01T10:00:00.000000Z',
        'resource_graph': record('c-1')['resource_graph']}


def test_checkpoint_objects_and_indices_have_their_documented_keys(fs_bank):
    layout.write_checkpoint(fs_bank, record('c-1'))

    assert fs_bank.list_objects() == [
        'checkpoints/c-1/index.json',
        'indices/by-plan/plan-1/2024-05-01T10:00:00.000000Z@c-1',
        'indices/by-project/project-1/2024-05-01T10:00:00.000000Z@c-1']
    assert fs_bank.get_json(
        'indices/by-plan/plan-1/2024-05-01T10:00:00.000000Z@c-1') == {
        'id': 'c-1', 'project_id': 'project-1', 'plan_id': 'plan-1',
        'provider_id': PROVIDER,
        'created_at': '2024-05-01T10:00:00.000000Z'}


@pytest.mark.parametrize('value, text', [
    (datetime.datetime(2024, 5, 1, 10, 0, 0, 7),
     '2024-05-01T10:00:00.000007Z'),
    (datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone(
        datetime.timedelta(hours=2))), '2024-05-01T10:00:00.000000Z'),
    ('2024-05-01T10:00:00.5+00:00', '2024-05-01T10:00:00.500000Z'),
    ('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000000Z'),
])
def test_times_are_fixed_width_utc_to_the_microsecond(value, text):
    assert layout.format_time(value) == text
    assert layout.format_time(layout.parse_time(text)) == text


def test_incomplete_records_are_refused(fs_bank):
    incomplete = record('c-1')
    del incomplete['project_id']
    incomplete['protection_plan'] = {'name': 'no id'}

    with pytest.raises(exception.InvalidInput,
                       match='project_id, protection_plan.id'):
        layout.write_checkpoint(fs_bank, incomplete)
    with pytest.raises(exception.InvalidInput, match='checkpoint status'):
        layout.write_checkpoint(fs_bank, record('c-1', status='done'))
    with pytest.raises(base.InvalidBankKey):
        layout.write_checkpoint(fs_bank, record('c/1'))
    with pytest.raises(base.InvalidBankKey):
        layout.write_checkpoint(fs_bank, record('c-1', plan='a@b'))
    assert fs_bank.list_objects() == []


def test_missing_checkpoint_is_not_found(fs_bank):
    with pytest.raises(exception.CheckpointNotFound):
        layout.read_checkpoint(fs_bank, 'c-1')


def test_checkpoint_of_a_newer_layout_is_refused(fs_bank):
    fs_bank.put_json('checkpoints/c-1/index.json', {'version': 2})

    with pytest.raises(base.BankError, match='layout version 2'):
        layout.read_checkpoint(fs_bank, 'c-1')


def test_update_status_rewrites_index_json(fs_bank):
    layout.write_checkpoint(fs_bank, record(
        'c-1', status=states.CheckpointStatus.PROTECTING))

    layout.update_status(fs_bank, 'c-1', states.CheckpointStatus.AVAILABLE)

    document = layout.read_checkpoint(fs_bank, 'c-1')
    assert document['status'] == 'available'
    assert document['updated_at'].endswith('Z')
    with pytest.raises(exception.InvalidInput):
        layout.update_status(fs_bank, 'c-1', 'finished')
    with pytest.raises(exception.CheckpointNotFound):
        layout.update_status(fs_bank, 'c-2', 'available')


@pytest.fixture
def history(fs_bank):
    """Checkpoints of two projects and three plans, written out of order."""
    for checkpoint_id, project, plan, seconds in [
            ('c-3', 'project-1', 'plan-1', 3),
            ('c-1', 'project-1', 'plan-1', 1),
            ('c-5', 'project-1', 'plan-1', 5),
            ('c-2', 'project-1', 'plan-2', 2),
            ('c-4', 'project-2', 'plan-3', 4),
            ('c-6', 'project-2', 'plan-3', 0.000001),
            ('c-7', 'project-1', 'plan-1', 5)]:
        layout.write_checkpoint(fs_bank, record(checkpoint_id, project, plan,
                                                seconds))
    return fs_bank


def test_plan_listing_is_newest_first(history):
    entries = layout.list_checkpoints(history, plan_id='plan-1')

    assert ids(entries) == ['c-7', 'c-5', 'c-3', 'c-1']
    assert entries[0] == {'id': 'c-7', 'plan_id': 'plan-1',
                          'project_id': None,
                          'created_at': '2024-05-01T10:00:05.000000Z'}


def test_plan_listing_pages_with_marker_both_ways(history):
    first = layout.list_checkpoints(history, plan_id='plan-1', limit=2)
    second = layout.list_checkpoints(history, plan_id='plan-1', limit=2,
                                     marker=first[-1]['id'])
    oldest = layout.list_checkpoints(history, plan_id='plan-1', limit=3,
                                     sort_dir='asc')
    after = layout.list_checkpoints(history, plan_id='plan-1', limit=3,
                                    sort_dir='asc', marker='c-3')

    assert (ids(first), ids(second)) == (['c-7', 'c-5'], ['c-3', 'c-1'])
    assert ids(oldest) == ['c-1', 'c-3', 'c-5']
    assert ids(after) == ['c-5', 'c-7']


def test_project_listing(history):
    assert ids(layout.list_checkpoints(history, project_id='project-1')) == (
        ['c-7', 'c-5', 'c-3', 'c-2', 'c-1'])
    assert ids(layout.list_checkpoints(history, project_id='project-2',
                                       sort_dir='asc')) == ['c-6', 'c-4']
    assert layout.list_checkpoints(history, project_id='project-3') == []


def test_plan_listing_of_another_project_is_empty(history):
    assert ids(layout.list_checkpoints(history, project_id='project-1',
                                       plan_id='plan-1')) == [
        'c-7', 'c-5', 'c-3', 'c-1']
    assert layout.list_checkpoints(history, project_id='project-2',
                                   plan_id='plan-1') == []


def test_listing_every_project_is_in_time_order(history):
    every = layout.list_checkpoints(history)
    page = layout.list_checkpoints(history, marker='c-3', limit=2)

    assert ids(every) == ['c-7', 'c-5', 'c-4', 'c-3', 'c-2', 'c-1', 'c-6']
    assert every[2]['project_id'] == 'project-2'
    assert ids(page) == ['c-2', 'c-1']
    assert ids(layout.list_checkpoints(history, sort_dir='asc',
                                       limit=2)) == ['c-6', 'c-1']


def test_unknown_marker_is_refused(history):
    with pytest.raises(exception.InvalidMarker, match='c-9'):
        layout.list_checkpoints(history, plan_id='plan-1', marker='c-9')


def test_listing_reads_no_checkpoint(history, monkeypatch):
    monkeypatch.setattr(history, 'get_object', None)

    assert len(layout.list_checkpoints(history, plan_id='plan-1')) == 4


def test_delete_leaves_only_a_tombstone(history):
    section = layout.resource_section(history, 'c-5', 'OS::Nova::Server#vm')
    section.put_json('metadata.json', {})
    section.put_object('data/00000000', b'disk')

    tombstone = layout.delete_checkpoint(history, 'c-5')

    assert history.list_objects('checkpoints/c-5/') == [
        'checkpoints/c-5/index.json']
    assert layout.read_checkpoint(history, 'c-5') == tombstone
    assert tombstone['status'] == 'deleted'
    assert tombstone['deleted_at'].endswith('Z')
    assert tombstone['protection_plan']['id'] == 'plan-1'
    assert 'c-5' not in ids(layout.list_checkpoints(history))
    assert 'c-5' not in ids(layout.list_checkpoints(history,
                                                    plan_id='plan-1'))
    assert layout.delete_checkpoint(history, 'c-5') == tombstone
    with pytest.raises(exception.CheckpointNotFound):
        layout.delete_checkpoint(history, 'c-9')


@pytest.mark.parametrize('resource_key, segment', [
    ('OS::Nova::Server#0b0e3c54-7c1a-4c4e-8f3b-3c9d3e2f0a11',
     'OS::Nova::Server@0b0e3c54-7c1a-4c4e-8f3b-3c9d3e2f0a11'),
    (Resource('OS::Cinder::Volume', 'v-1'), 'OS::Cinder::Volume@v-1'),
    ('OS::Swift::Container#my bucket/x', None),
    ('OS::Glance::Image#' + 'i' * 200, None),
])
def test_resource_sections_are_under_the_checkpoint(fs_bank, resource_key,
                                                    segment):
    section = layout.resource_section(fs_bank, 'c-1', resource_key,
                                      writable=False)

    parent, _, name = section.prefix.rpartition('/')
    assert parent == 'checkpoints/c-1/resources'
    if segment is None:
        assert re.fullmatch('@sha256-[0-9a-f]{64}', name)
    else:
        assert name == segment
    assert not section.writable


def test_resource_keys_that_differ_get_different_sections():
    keys = ['OS::Swift::Container#a b', 'OS::Swift::Container#a_b',
            'OS::Swift::Container#a@b', 'OS::Swift::Container@a#b']

    assert len({layout.resource_segment(key) for key in keys}) == len(keys)


def test_checkpoint_lease_is_held_while_writing(fs_bank, clock):
    with layout.hold_checkpoint(fs_bank, 'c-1', 'agent-a', 60) as lease:
        assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-a'
        with pytest.raises(exception.OperationClaimed,
                           match='held by agent-a until .*, not by agent-b'):
            with layout.hold_checkpoint(fs_bank, 'c-1', 'agent-b', 60):
                pass
        clock.advance(50)
        lease.renew()
        clock.advance(50)
        assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-a'

    assert fs_bank.get_lease('checkpoints/c-1') is None


def test_lost_checkpoint_lease_fails_the_renewal(fs_bank, clock):
    with layout.hold_checkpoint(fs_bank, 'c-1', 'agent-a', 60) as lease:
        clock.advance(61)
        assert fs_bank.acquire_lease('checkpoints/c-1', 'agent-b', 60)

        with pytest.raises(exception.OperationClaimed, match='agent-b'):
            lease.renew()

    assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-b'


def test_a_lease_is_waited_for_while_its_dead_holder_lets_it_run_out(
        fs_bank, clock):
    fs_bank.acquire_lease('checkpoints/c-1', 'agent-a', 5)
    start = clock()

    lease = layout.acquire_lease(fs_bank, 'c-1', 'agent-b', 60, patience=10,
                                 sleep=clock.advance)

    assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-b'
    assert 5 <= clock() - start < 6
    lease.release()
    assert fs_bank.get_lease('checkpoints/c-1') is None


def test_a_lease_held_beyond_the_patience_names_its_holder(fs_bank, clock):
    fs_bank.acquire_lease('checkpoints/c-1', 'agent-a', 60)

    with pytest.raises(exception.OperationClaimed,
                       match='held by agent-a until .*, not by agent-b'):
        layout.acquire_lease(fs_bank, 'c-1', 'agent-b', 60, patience=10,
                             sleep=clock.advance)

    assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-a'


def test_the_lease_of_an_earlier_life_is_taken_at_once(fs_bank, clock):
    fs_bank.acquire_lease('checkpoints/c-1', 'host:earlier', 60)

    layout.acquire_lease(fs_bank, 'c-1', 'host:now', 60,
                         take_over='host:earlier')

    assert fs_bank.get_lease('checkpoints/c-1').owner == 'host:now'


def test_taking_over_spares_a_lease_another_owner_took(fs_bank, clock):
    fs_bank.acquire_lease('checkpoints/c-1', 'agent-a', 60)

    with pytest.raises(exception.OperationClaimed):
        layout.acquire_lease(fs_bank, 'c-1', 'host:now', 60,
                             take_over='host:earlier')

    assert fs_bank.get_lease('checkpoints/c-1').owner == 'agent-a'


def test_a_copy_holds_the_source_objects_under_its_own_id(fs_bank):
    layout.write_checkpoint(fs_bank, record('c-1'))
    section = layout.resource_section(fs_bank, 'c-1', 'OS::Nova::Server#vm-1')
    section.put_json('metadata', {'backup': 'b-1'}, {'kind': 'backup'})
    section.put_object('data/0', b'\x00\x01')
    copy = dict(record('c-2', seconds=1), extra_info={'copy_of': 'c-1'},
                status=states.CheckpointStatus.COPYING)

    document = layout.copy_checkpoint(fs_bank, 'c-1', fs_bank, copy)

    assert layout.read_checkpoint(fs_bank, 'c-2') == document
    assert (document['status'], document['extra_info']) == (
        'copying', {'copy_of': 'c-1'})
    copied = layout.resource_section(fs_bank, 'c-2', 'OS::Nova::Server#vm-1')
    data, metadata = copied.get_object_with_metadata('metadata')
    assert (data, metadata['kind']) == (b'{"backup":"b-1"}', 'backup')
    assert copied.get_object('data/0') == b'\x00\x01'
    assert ids(layout.list_checkpoints(fs_bank, plan_id='plan-1')) == [
        'c-2', 'c-1']


def test_a_copy_leaves_out_the_objects_excluded(fs_bank):
    layout.write_checkpoint(fs_bank, record('c-1'))
    section = layout.resource_section(fs_bank, 'c-1', 'OS::Glance::Image#i')
    section.put_json('metadata', {'size': 3})
    section.put_json('data', {'format': 'smaug-chunk-manifest'})

    layout.copy_checkpoint(fs_bank, 'c-1', fs_bank, record('c-2'),
                           excluded={section.prefix + '/data'})

    copied = layout.resource_section(fs_bank, 'c-2', 'OS::Glance::Image#i')
    assert copied.list_objects() == ['metadata']


def test_only_an_available_checkpoint_is_copied(fs_bank):
    layout.write_checkpoint(fs_bank, record(
        'c-1', status=states.CheckpointStatus.PROTECTING))

    with pytest.raises(exception.InvalidState, match='c-1 is protecting'):
        layout.copy_checkpoint(fs_bank, 'c-1', fs_bank, record('c-2'))

    with pytest.raises(exception.CheckpointNotFound):
        layout.read_checkpoint(fs_bank, 'c-2')
