"""The tasks that carry a resource's activities, on taskflow's engine."""
from taskflow import states
from taskflow.persistence import models
import testtools

from smaug.protection import activity
from smaug.protection.flows import engine as flow_engine
from smaug.protection.flows import tasks
from smaug.tests.plugins import synthetic


class _Sync(activity.SyncActivity):
    def execute(self, ctx):
        return None


class SyncTaskTest(testtools.TestCase):

    def test_a_revert_resumes_after_the_reverts_of_what_it_required(self):
        # The parent's sync never ran. Its revert was scheduled beside its
        # child's, which ended; then the agent stopped before it started.
        work = activity.ResourceWork(sync=_Sync())
        child = tasks.SyncTask(None, synthetic.node(2, 1, 1), work, [])
        parent = tasks.SyncTask(None, synthetic.node(2, 1, 0), work,
                                [synthetic.node(2, 1, 1)])
        flow = flow_engine.GraphFlow('resources').add_graph(
            [child, parent], [(child, parent)])
        engine = flow_engine.ResourceFlowEngine(
            flow, models.FlowDetail('resources', uuid='resources'), None,
            {})
        engine.compile()
        engine.prepare()
        for atom, state in ((child, states.REVERTED),
                            (parent, states.REVERTING)):
            engine.storage.set_atom_intention(atom.name, states.REVERT)
            engine.storage.set_atom_state(atom.name, state)
        engine.storage.set_flow_state(states.SUSPENDED)
        engine.run()
        self.assertEqual(states.REVERTED, engine.storage.get_flow_state())
        self.assertEqual(states.REVERTED,
                         engine.storage.get_atom_state(parent.name))
