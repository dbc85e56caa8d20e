"""Options of the smaug-protection agents and their providers."""
from oslo_config import cfg

protection_group = cfg.OptGroup('protection', title='Protection agents')

protection_opts = [
    cfg.StrOpt('provider_config_dir', default='providers.d',
               help='Directory of provider definition files (*.conf), '
                    'absolute or relative to the configuration file.'),
    cfg.IntOpt('max_concurrent_operations', default=4, min=1,
               help='Operations one agent runs at the same time; more wait '
                    'in its queue, or are taken by idle agents.'),
    cfg.IntOpt('flow_workers', default=8, min=1,
               help='Threads that run the tasks of one operation\'s flow.'),
    cfg.IntOpt('work_concurrency', default=8, min=1,
               help='Heavy jobs (copies, waits on OpenStack) one agent '
                    'runs at the same time, across its operations.'),
    cfg.DictOpt('backend_concurrency', default={},
                help='Per-backend limits within work_concurrency, e.g. '
                     'cinder:4,glance:2; a backend not named shares the '
                     'global limit.'),
    cfg.IntOpt('lease_seconds', default=60, min=2,
               help='How long an agent\'s claim on an operation lasts '
                    'without renewal; an agent that dies loses its '
                    'operations to others after this long.'),
    cfg.FloatOpt('progress_interval', default=2.0, min=0.1,
                 help='Seconds between writes of a running operation\'s '
                      'per-resource progress to its record (they renew '
                      'its lease too).'),
    cfg.IntOpt('orphan_scan_interval', default=10, min=1,
               help='Seconds between scans for operations nobody works '
                    'on: expired claims, and casts no agent received.'),
    cfg.IntOpt('unclaimed_grace_seconds', default=30, min=1,
               help='How old an operation that no agent has claimed must '
                    'be before any agent may take it from the scan.'),
    cfg.IntOpt('max_revert_attempts', default=3, min=1,
               help='Times the undoing of a resource\'s work in a failed '
                    'operation is tried before it is given up. A failed '
                    'attempt (an error other than OpenStack refusing the '
                    'caller, which is never tried again) breaks the '
                    'operation off, and the next scan for orphaned '
                    'operations, on any agent, tries again; the count is '
                    'kept with the operation\'s saved flow. Once given up, '
                    'the resource is named as left behind, with the last '
                    'error, in the operation\'s error reason, and the '
                    'operation ends in its failure state.'),
    cfg.ListOpt('protectables',
                help='Entry point names (smaug.protectables) of the '
                     'protectable plugins to load, e.g. project,server,'
                     'volume,image; every installed one when unset. The '
                     'API and the agents must agree. A deployment without '
                     'Keystone ([api] auth_strategy = noauth) cannot '
                     'discover OpenStack resources: give it project only.'),
]


chunk_store_group = cfg.OptGroup(
    'chunk_store', title='Chunk store',
    help='How protection plugins store large objects (image and volume '
         'data) in a bank: chunked, deduplicated, compressed, optionally '
         'encrypted.')

chunk_store_opts = [
    cfg.IntOpt('chunk_size', default=4 * 1024 * 1024, min=4096,
               help='Bytes per chunk. Data written with another chunk size '
                    'stays readable but shares no chunks with new writes.'),
    cfg.IntOpt('chunks_in_flight', default=8, min=1,
               help='Chunks one read or write holds at once (being '
                    'hashed, compressed, sent or fetched ahead). An '
                    'operation holds about twice this many chunk sizes of '
                    'memory, whatever the object\'s size.'),
    cfg.IntOpt('threads', default=4, min=1,
               help='Threads that hash, compress, encrypt and transfer '
                    'the chunks of one read or write.'),
    cfg.IntOpt('compression_level', default=1, min=-7, max=22,
               help='zstd compression level of chunks; 1 is fast, higher '
                    'levels are smaller and slower.'),
    cfg.StrOpt('encryption_key', secret=True,
               help='Base64 of 32 random bytes (e.g. "openssl rand '
                    '-base64 32"). When set, chunks are encrypted with '
                    'AES-256-GCM under a data key per project, which this '
                    'key wraps and the bank keeps; any deployment with '
                    'the same key reads the bank. Losing it loses the '
                    'encrypted data. To change it, move the old key to '
                    'previous_encryption_keys.'),
    cfg.ListOpt('previous_encryption_keys', secret=True, default=[],
                help='Keys that were encryption_key before, base64 as it '
                     'is. They only unwrap the data keys they wrapped; '
                     'new and re-wrapped data keys are wrapped by '
                     'encryption_key. Once "smaug-manage bank rewrap_keys" '
                     'has run for every provider\'s bank, they can be '
                     'removed.'),
    cfg.IntOpt('lease_seconds', default=60, min=5,
               help='How long a write\'s or a garbage collection\'s lease '
                    'on the chunk store lasts without renewal; they renew '
                    'it every third of this.'),
    cfg.IntOpt('writer_wait_seconds', default=3600, min=1,
               help='How long a write waits for a garbage collection of '
                    'its bank to end before it fails.'),
    cfg.IntOpt('gc_writer_wait_seconds', default=300, min=0,
               help='How long a garbage collection waits for the writes '
                    'in progress to end (new writes wait for it) before '
                    'it gives up until next time.'),
    cfg.FloatOpt('gc_settle_seconds', default=5.0, min=0,
                 help='Seconds a garbage collection waits before it lists '
                      'the bank, for listings that lag behind writes '
                      '(Swift container listings).'),
    cfg.IntOpt('gc_min_age_seconds', default=900, min=0,
               help='Unreferenced chunks younger than this are kept until '
                    'a later collection: a second guard, after the '
                    'leases, for banks whose listings lag.'),
]


def register_opts(conf):
    conf.register_group(protection_group)
    conf.register_opts(protection_opts, group=protection_group)
    conf.register_group(chunk_store_group)
    conf.register_opts(chunk_store_opts, group=chunk_store_group)


def list_opts():
    return {protection_group: protection_opts,
            chunk_store_group: chunk_store_opts}
