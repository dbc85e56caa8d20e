"""/v1/{project_id}/verifications: checking that a checkpoint restores.

A verification reads an ``available`` checkpoint of the provider it names;
its parameters must fit that provider's verify schemas, which providers
publish (Karbor did not, so its verifications with parameters failed).
"""
from smaug import policy
from smaug import states
from smaug.api import common
from smaug.api import operations
from smaug.api import parameters
from smaug.api import validation
from smaug.api.schemas import verifications as schemas
from smaug.api.v1 import checkpoints
from smaug.api.views import verifications as views
from smaug.db import api as db

SORT_KEYS = ('created_at', 'updated_at', 'id', 'status', 'checkpoint_id',
             'provider_id')
FILTERS = {
    'status': {'type': 'string',
               'enum': list(states.VerificationStatus.ALL)},
    'checkpoint_id': common.uuid_filter(),
    'provider_id': common.uuid_filter(),
    'project_id': common.string_filter(),
}


class VerificationsController:

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'verification:get_all')
        verifications, limit = common.list_records(
            request, db.verification_get_all, SORT_KEYS,
            common.filters(request, FILTERS))
        return views.collection(request, verifications, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        context = request.context
        verification = db.verification_get(context, id)
        policy.authorize(context, 'verification:get',
                         {'project_id': verification.project_id})
        return views.detail(verification)

    @validation.schema(schemas.create)
    @validation.query_schema(common.NO_QUERY)
    def create(self, request, body):
        context = request.context
        policy.authorize(context, 'verification:create')
        verification = body['verification']
        record = checkpoints.start_reading_operation(
            context, 'verification:create', verification, 'verification',
            parameters.VERIFY, operations.VERIFY, db.verification_create,
            {'status': states.VerificationStatus.IN_PROGRESS})
        return views.detail(record)


def create_controller():
    return VerificationsController()
