"""A protectable resource: what a plan names and a graph is made of."""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Resource:
    """Identity is (type, id); name and extra_info only describe it, so a
    resource renamed since its plan was made is still the same one."""

    type: str
    id: str
    name: str = dataclasses.field(default='', compare=False)
    extra_info: dict = dataclasses.field(default=None, compare=False,
                                         hash=False)

    def key(self):
        """The ``Type#id`` form used in parameters and resource statuses."""
        return '%s#%s' % (self.type, self.id)

    def to_dict(self):
        return {'type': self.type, 'id': self.id, 'name': self.name,
                'extra_info': self.extra_info}
