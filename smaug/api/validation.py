"""JSON Schema validation of request bodies and query strings.

Every message names the offending field (``plan.resources[0].id``) so a
client can tell what to fix without reading the schema.
"""
import functools
import uuid

import jsonschema

from smaug import exception

_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks('uuid')
def _is_uuid(value):
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _field_name(root, path):
    name = root
    for part in path:
        name += '[%d]' % part if isinstance(part, int) else '.' + part
    return name


def _message(error, root):
    error = _deepest(error)
    field = _field_name(root, error.absolute_path)
    if error.validator == 'required':
        return 'Missing field in %s: %s' % (field, error.message)
    if error.validator == 'additionalProperties':
        return 'Invalid field in %s: %s' % (field, error.message)
    if error.validator == 'format':
        return ("Invalid input for field '%s': %r is not a valid %s."
                % (field, error.instance, error.validator_value))
    return "Invalid input for field '%s': %s" % (field, error.message)


def _deepest(error):
    """Of alternatives (oneOf/anyOf), report the branch that got furthest."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def validate(schema, instance, root='body'):
    """Raise ValidationError (HTTP 400) unless ``instance`` fits."""
    validator = jsonschema.Draft202012Validator(schema,
                                                format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(instance),
                    key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise exception.ValidationError(detail=_message(errors[0], root))


def schema(body_schema):
    """Validate the JSON body of a controller action against a schema."""
    def decorator(func):
        func.body_schema = body_schema

        @functools.wraps(func)
        def wrapper(self, request, *args, **kwargs):
            if 'body' not in kwargs:
                raise exception.ValidationError(
                    detail='A JSON request body is required.')
            validate(body_schema, kwargs['body'])
            return func(self, request, *args, **kwargs)
        return wrapper
    return decorator


def query_schema(params_schema):
    """Validate query parameters; repeated keys keep their last value.

    Values arrive as strings, so schemas use patterns for numbers and
    booleans. Unknown parameters are rejected, not silently dropped.
    """
    def decorator(func):
        func.query_schema = params_schema

        @functools.wraps(func)
        def wrapper(self, request, *args, **kwargs):
            params = dict(request.GET.items())
            validate(params_schema, params, root='query')
            return func(self, request, *args, **kwargs)
        return wrapper
    return decorator
