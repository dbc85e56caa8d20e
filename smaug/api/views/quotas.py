"""The JSON form of project quotas and quota classes.

``id`` is the project id, or the quota class name.
"""


def limits(key, owner_id, quotas):
    """{key: {resource: limit, ..., 'id': owner_id}}.

    :param quotas: {resource: limit}.
    """
    return {key: dict(quotas, id=owner_id)}


def project(project_id, quotas):
    """A project's limits; ``quotas`` as get_project_quotas gives them."""
    return limits('quota', project_id,
                  {resource: quota['limit']
                   for resource, quota in quotas.items()})


def project_detail(project_id, quotas):
    """A project's limits with their usage: {limit, in_use, reserved}."""
    return limits('quota', project_id,
                  {resource: {'limit': quota['limit'],
                              'in_use': quota['in_use'],
                              'reserved': quota['reserved']}
                   for resource, quota in quotas.items()})


def quota_class(class_name, quotas):
    return limits('quota_class', class_name, quotas)
