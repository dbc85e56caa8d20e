"""Fill the test cloud with its accounts and resources, and prove it works.

Runs in the cloud's venv (it needs keystoneauth1 only) and reads the
description of the cloud that ``devcloud`` writes to ``cloud.json``:

  identity   projects, users, roles and the service catalog (keystone up)
  compute    wait until nova-compute has reported for duty
  resources  flavors, the ``file`` volume type, quotas, a public image
  verify     one real request per endpoint, retried until all succeed

Every step is idempotent: it looks a thing up by name before creating it.
"""
import datetime
import json
import sys
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

# One raw image every cloud user can boot: 1 MiB of a known pattern.
PUBLIC_IMAGE = 'devcloud-image'
PUBLIC_IMAGE_DATA = bytes(range(256)) * 4096


class Failure(Exception):
    pass


class Cloud:
    def __init__(self, description, started=None):
        self.d = description
        self.region = description['region']
        self.started = started or {}
        self._sessions = {}

    def reporting(self, service):
        """Whether a service of an os-services listing is up and has sent a
        heartbeat since its process started (not only in an earlier run)."""
        if service['state'] != 'up':
            return False
        started = self.started.get(service['binary'])
        if not started:
            return True
        if not service.get('updated_at'):
            return False
        beat = datetime.datetime.fromisoformat(service['updated_at'])
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=datetime.timezone.utc)
        return beat.timestamp() >= started

    def session(self, cloud='admin', system=False):
        key = (cloud, system)
        if key not in self._sessions:
            creds = self.d['clouds'][cloud]
            scope = ({'system_scope': 'all'} if system else
                     {'project_name': creds['project_name'],
                      'project_domain_id': 'default'})
            auth = v3.Password(auth_url=self.d['auth_url'],
                               username=creds['username'],
                               password=creds['password'],
                               user_domain_id='default', **scope)
            self._sessions[key] = ks_session.Session(auth=auth)
        return self._sessions[key]

    def call(self, method, service, path, cloud='admin', system=False,
             ok=(200, 201, 202, 204), **kwargs):
        """Send one request to ``service`` and return the decoded body."""
        kwargs.setdefault('endpoint_filter', {
            'service_type': service, 'interface': 'public',
            'region_name': self.region})
        response = self.session(cloud, system).request(
            path, method, raise_exc=False, **kwargs)
        if response.status_code not in ok:
            raise Failure('%s %s %s -> %s %s' % (
                cloud, method, path, response.status_code,
                response.text[:300]))
        if response.content and 'json' in response.headers.get(
                'Content-Type', ''):
            return response.json()
        return {}


class Identity:
    """Keystone's side: everything is looked up by name, then created."""

    def __init__(self, cloud):
        self.cloud = cloud

    def _call(self, method, path, **kwargs):
        return self.cloud.call(method, 'identity', path, system=True,
                               **kwargs)

    def _find(self, collection, name, **filters):
        query = '&'.join('%s=%s' % kv for kv in
                         dict(name=name, **filters).items())
        found = self._call('GET', '/%s?%s' % (collection, query))
        return found[collection][0] if found[collection] else None

    def ensure(self, collection, kind, name, **attributes):
        found = self._find(collection, name)
        if found:
            return found
        body = {kind: dict(name=name, **attributes)}
        return self._call('POST', '/%s' % collection, json=body)[kind]

    def ensure_user(self, name, password, project):
        # An existing user keeps its password: changing it would revoke
        # the tokens of that user, including the admin token in use here.
        user = self._find('users', name)
        if user:
            return user
        return self._call('POST', '/users', json={'user': {
            'name': name, 'password': password, 'domain_id': 'default',
            'default_project_id': project['id'], 'enabled': True}})['user']

    def grant(self, project, user, role):
        self._call('PUT', '/projects/%s/users/%s/roles/%s' % (
            project['id'], user['id'], role['id']))

    def ensure_endpoints(self, entry):
        services = self._call('GET', '/services?type=%s' % entry['type'])
        service = next((s for s in services['services']
                        if s['name'] == entry['name']), None)
        if not service:
            service = self._call('POST', '/services', json={'service': {
                'type': entry['type'], 'name': entry['name'],
                'description': entry['description']}})['service']
        existing = self._call(
            'GET', '/endpoints?service_id=%s' % service['id'])
        by_interface = {e['interface']: e for e in existing['endpoints']}
        for interface in ('public', 'internal', 'admin'):
            endpoint = by_interface.get(interface)
            if endpoint and endpoint['url'] == entry['url']:
                continue
            if endpoint:
                self._call('DELETE', '/endpoints/%s' % endpoint['id'])
            self._call('POST', '/endpoints', json={'endpoint': {
                'service_id': service['id'], 'interface': interface,
                'url': entry['url'], 'region_id': self.cloud.region}})


def identity(cloud):
    d = cloud.d
    ids = Identity(cloud)
    roles = {name: ids.ensure('roles', 'role', name)
             for name in ('admin', 'member', 'reader', 'service')}
    domain = {'domain_id': 'default'}
    projects = {}
    for name in sorted({c['project_name'] for c in d['clouds'].values()} |
                       {'service'}):
        projects[name] = ids.ensure('projects', 'project', name,
                                    description='devcloud project',
                                    **domain)
    for creds in d['clouds'].values():
        project = projects[creds['project_name']]
        user = ids.ensure_user(creds['username'], creds['password'],
                               project)
        for role in creds['roles']:
            ids.grant(project, user, roles[role])
    for name, password in d['service_users'].items():
        user = ids.ensure_user(name, password, projects['service'])
        for role in ('admin', 'service'):
            ids.grant(projects['service'], user, roles[role])
    for entry in d['catalog']:
        ids.ensure_endpoints(entry)


def wait_for(what, check, timeout):
    """Call ``check`` until it returns a true value or ``timeout`` passes."""
    began = time.monotonic()
    last = None
    while time.monotonic() < began + timeout:
        try:
            result = check()
            if result:
                print('  ok  %s (%.1fs)' % (what, time.monotonic() - began),
                      flush=True)
                return result
            last = 'not yet'
        except (Failure, ks_exc.ClientException) as error:
            last = error
        time.sleep(1)
    raise Failure('%s: gave up after %ss: %s' % (what, timeout, last))


def compute(cloud, timeout=180):
    """nova-compute reports and placement has the inventory of its node.

    Only then does the node exist, so that ``nova-manage cell_v2
    discover_hosts`` can map the host and the scheduler place servers on
    it. (os-hypervisors cannot tell: it lists mapped hosts only.)
    """
    def compute_up():
        services = cloud.call('GET', 'compute',
                              '/os-services?binary=nova-compute')
        return any(cloud.reporting(s) for s in services['services'])

    def inventory_reported():
        placement = {'headers': {'OpenStack-API-Version': 'placement 1.14'}}
        providers = cloud.call('GET', 'placement', '/resource_providers',
                               **placement)['resource_providers']
        return any('VCPU' in cloud.call(
            'GET', 'placement',
            '/resource_providers/%s/inventories' % p['uuid'],
            **placement)['inventories'] for p in providers)

    wait_for('nova-compute service', compute_up, timeout)
    wait_for('compute inventory in placement', inventory_reported, timeout)


def _project_id(cloud, name):
    found = cloud.call('GET', 'identity', '/projects?name=%s' % name,
                       system=True)
    return found['projects'][0]['id']


def resources(cloud):
    d = cloud.d
    flavors = cloud.call('GET', 'compute', '/flavors')['flavors']
    have = {f['name'] for f in flavors}
    for flavor in d['flavors']:
        if flavor['name'] not in have:
            cloud.call('POST', 'compute', '/flavors',
                       json={'flavor': flavor})

    types = cloud.call('GET', 'block-storage', '/types')['volume_types']
    if not any(t['name'] == d['volume_type'] for t in types):
        cloud.call('POST', 'block-storage', '/types', json={'volume_type': {
            'name': d['volume_type'],
            'extra_specs': {'volume_backend_name': d['volume_type']}}})

    for creds in d['clouds'].values():
        project = _project_id(cloud, creds['project_name'])
        cloud.call('PUT', 'block-storage', '/os-quota-sets/%s' % project,
                   json={'quota_set': d['quotas']['block-storage']})
        cloud.call('PUT', 'compute', '/os-quota-sets/%s' % project,
                   json={'quota_set': d['quotas']['compute']})

    images = cloud.call('GET', 'image',
                        '/v2/images?name=%s' % PUBLIC_IMAGE)['images']
    if not any(i['status'] == 'active' for i in images):
        for image in images:
            cloud.call('DELETE', 'image', '/v2/images/%s' % image['id'])
        image = cloud.call('POST', 'image', '/v2/images', json={
            'name': PUBLIC_IMAGE, 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'public'})
        cloud.call('PUT', 'image', '/v2/images/%s/file' % image['id'],
                   data=PUBLIC_IMAGE_DATA,
                   headers={'Content-Type': 'application/octet-stream'})


def verify(cloud, timeout=120):
    """One real request per endpoint; the services' own health as admin."""
    def demo(method, service, path, **kwargs):
        return lambda: cloud.call(method, service, path, cloud='demo',
                                  **kwargs) is not None

    def all_up(service, path, binaries):
        def check():
            found = cloud.call('GET', service, path)['services']
            up = {s['binary'] for s in found if cloud.reporting(s)}
            missing = set(binaries) - up
            if missing:
                raise Failure('%s not up' % ', '.join(sorted(missing)))
            return True
        return check

    def catalog():
        access = cloud.session('demo').auth.get_access(
            cloud.session('demo'))
        types = {s['type'] for s in access.service_catalog.catalog}
        missing = {e['type'] for e in cloud.d['catalog']} - types
        if missing:
            raise Failure('catalog lacks %s' % ', '.join(sorted(missing)))
        return True

    def placement():
        found = cloud.call('GET', 'placement', '/resource_providers',
                           headers={'OpenStack-API-Version':
                                    'placement 1.14'})
        return bool(found['resource_providers'])

    def volume_pool():
        found = cloud.call('GET', 'block-storage',
                           '/scheduler-stats/get_pools')
        return bool(found['pools'])

    def hypervisor_up():
        found = cloud.call('GET', 'compute', '/os-hypervisors/detail')
        return any(h['state'] == 'up' and h['status'] == 'enabled'
                   for h in found['hypervisors'])

    checks = [
        ('keystone token and catalog', catalog),
        ('glance', demo('GET', 'image', '/v2/images')),
        ('swift', demo('GET', 'object-store', '', ok=(200, 204))),
        ('cinder', demo('GET', 'block-storage', '/volumes')),
        ('cinder services', all_up('block-storage', '/os-services', (
            'cinder-scheduler', 'cinder-volume', 'cinder-backup'))),
        ('cinder scheduler knows the volume pool', volume_pool),
        ('nova', demo('GET', 'compute', '/servers')),
        ('nova services', all_up('compute', '/os-services', (
            'nova-conductor', 'nova-scheduler', 'nova-compute'))),
        ('nova hypervisor', hypervisor_up),
        ('placement', placement),
        ('network stub', demo('GET', 'network', '/v2.0/ports')),
    ]
    for what, check in checks:
        wait_for(what, check, timeout)


STEPS = {'identity': identity, 'compute': compute, 'resources': resources,
         'verify': verify}


def main(argv):
    if len(argv) not in (3, 4) or argv[2] not in STEPS:
        sys.exit('usage: provision.py cloud.json {%s} [STARTED]\n'
                 'STARTED: JSON {binary: start time of its process}'
                 % '|'.join(STEPS))
    with open(argv[1]) as f:
        cloud = Cloud(json.load(f),
                      json.loads(argv[3]) if len(argv) == 4 else None)
    try:
        STEPS[argv[2]](cloud)
    except Failure as error:
        sys.exit('provision %s failed: %s' % (argv[2], error))


if __name__ == '__main__':
    main(sys.argv)
