"""The resource types Smaug knows by name."""
PROJECT = 'OS::Keystone::Project'
SERVER = 'OS::Nova::Server'
VOLUME = 'OS::Cinder::Volume'
IMAGE = 'OS::Glance::Image'
NETWORK = 'OS::Neutron::Network'

ALL = (PROJECT, SERVER, VOLUME, IMAGE, NETWORK)
