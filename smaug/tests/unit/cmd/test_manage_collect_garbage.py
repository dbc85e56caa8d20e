"""``smaug-manage bank collect_garbage``: the chunks of deleted manifests
freed at once, and what that freed reported."""
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.cmd import manage_bank
from smaug.tests.unit.protection.chunks import conftest

#: The bank lists what it holds at once: no margin for lagging listings.
NO_MARGIN = {'gc_settle_seconds': 0, 'gc_min_age_seconds': 0,
             'chunk_size': conftest.CHUNK}


def _report(result):
    assert result.returncode == 0, result.stderr
    return {name: int(value) for name, value in (
        line.split(': ') for line in result.stdout.splitlines())}


def test_the_chunks_only_a_deleted_manifest_used_are_freed(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    store = store_module.ChunkStore.for_bank(bank, conftest.make_conf())
    kept = conftest.data(2 * conftest.CHUNK, seed=1)
    for checkpoint, payload in (('cp-1', conftest.data(3 * conftest.CHUNK)),
                                ('cp-2', kept)):
        store.write(conftest.stream(payload),
                    conftest.section(bank, checkpoint), 'image')
    store.delete(conftest.section(bank, 'cp-1'), 'image')

    first = _report(manage_bank.run(tmp_path, 'collect_garbage',
                                    **NO_MARGIN))
    again = _report(manage_bank.run(tmp_path, 'collect_garbage',
                                    **NO_MARGIN))

    assert (first['chunks_removed'], first['chunks_kept'],
            first['manifests']) == (3, 2, 1)
    assert first['bytes_freed'] > 0
    assert (again['chunks_removed'], again['bytes_freed'],
            again['chunks_kept']) == (0, 0, 2)
    assert len(conftest.chunk_keys(bank)) == 2
    assert b''.join(store.read(conftest.section(bank, 'cp-2'),
                               'image')) == kept


def test_young_chunks_are_spared_and_counted(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    store = store_module.ChunkStore.for_bank(bank, conftest.make_conf())
    store.write(conftest.stream(conftest.data(conftest.CHUNK)),
                conftest.section(bank), 'image')
    store.delete(conftest.section(bank), 'image')

    report = _report(manage_bank.run(
        tmp_path, 'collect_garbage', gc_settle_seconds=0,
        gc_min_age_seconds=3600, chunk_size=conftest.CHUNK))

    assert (report['chunks_removed'], report['chunks_too_young'],
            report['bytes_freed']) == (0, 1, 0)
    assert len(conftest.chunk_keys(bank)) == 1
