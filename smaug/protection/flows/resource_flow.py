"""Turn a resource graph into the graph of tasks that works on it.

Edges, per resource R with work: R.parallel -> R.sync (blue), and
D.sync -> R.sync for each nearest descendant D with work (red). Resources
whose plugins have nothing to do for this operation get no task, and their
parents wait on whatever lies below them.
"""
from smaug.protection.flows import engine
from smaug.protection.flows import tasks


def build(name, run, graph, work_of):
    """The graph flow of ``graph`` for one operation.

    :param run: the OperationRun the tasks report to.
    :param work_of: callable(resource) -> ResourceWork.
    :returns: an engine.GraphFlow.
    """
    atoms, links = [], []
    sync_tasks = {}
    waits_on = {}
    for resource in graph.children_first():
        below = []
        for child in graph.children_of(resource):
            for dep in waits_on[child]:
                if dep not in below:
                    below.append(dep)
        work = work_of(resource)
        if not work:
            waits_on[resource] = below
            continue
        sync = tasks.SyncTask(run, resource, work, below)
        atoms.append(sync)
        sync_tasks[resource] = sync
        waits_on[resource] = [resource]
        if work.parallel is not None:
            parallel = tasks.ParallelTask(run, resource, work.parallel)
            atoms.append(parallel)
            links.append((parallel, sync))
        links.extend((sync_tasks[dep], sync) for dep in below)
    return engine.GraphFlow(name).add_graph(atoms, links)
