"""/v1/{project_id}/verifications: checking that a checkpoint restores.

A verification reads an ``available`` checkpoint of the provider it names;
its parameters must fit that provider's verify schemas, which providers
publish (Karbor did not, so its verifications with parameters failed).
"""
from oslo_utils import uuidutils

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
from smaug.protection import providers

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
        provider = providers.get_registry().get(verification['provider_id'])
        checkpoint = checkpoints.available_checkpoint(
            context, provider, verification['checkpoint_id'])
        policy.authorize(context, 'verification:create',
                         {'project_id': checkpoint.project_id})
        verify_parameters = verification.get('parameters') or {}
        parameters.validate(provider, verify_parameters, parameters.VERIFY,
                            'verification.parameters')
        values = {
            'id': uuidutils.generate_uuid(),
            'project_id': checkpoint.project_id,
            'user_id': context.user_id,
            'provider_id': provider.id,
            'checkpoint_id': checkpoint.id,
            'parameters': verify_parameters,
            'status': states.VerificationStatus.IN_PROGRESS,
        }
        record = operations.start(
            context, operations.VERIFY,
            lambda: db.verification_create(context, values),
            {'plan_id': checkpoint.plan_id, 'provider_id': provider.id,
             'checkpoint_id': checkpoint.id})
        return views.detail(record)


def create_controller():
    return VerificationsController()
