"""The REST API under /api/v1/: one NinjaAPI, bearer tokens, one router per area.

Every list and detail starts from `Model.objects.visible_to(user)`; every write goes
through the area's service functions, which check the role and the record's state.
"""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from carepair.api import (
    activities,
    errors,
    meals,
    organisations,
    pairings,
    people,
    problems,
    summary,
)
from carepair.api.auth import ApiTokenAuth
from carepair.api.common import JSON_DUMPS_PARAMS

DESCRIPTION = """\
The typed REST API of CarePair (一老一小结对帮扶).

**Authentication.** Every call needs `Authorization: Bearer <token>`; a token is issued by
`carepair token USERNAME`. A caller sees exactly what the same user sees on the pages:
a record outside their scope answers 404, as a missing one does.

**Answers.** Lists are paginated (`?limit=&offset=`, answering `{"items", "count"}`).
Errors carry `detail`; bad input (422) also carries `errors`, one list of messages per
field. Messages follow `Accept-Language` (Chinese by default). Money is given and
returned as integer fen or as a decimal string of yuan, never as a float.

**People in need.** Identity numbers are masked (first 6 and last 4 characters) in every
answer; only `POST /people/{id}/reveal` returns a full number, to roles that may see it,
and every reveal is audited. Health notes and referrals are given only to roles that may
read them: for the others the key is absent, not null.
"""


class Renderer(JSONRenderer):
    json_dumps_params = JSON_DUMPS_PARAMS


api = NinjaAPI(
    title="CarePair API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ApiTokenAuth(),
    renderer=Renderer(),
    # The docs page loads Swagger UI from this server (ninja's bundled copy); the
    # validator badge would call validator.swagger.io, so it is off.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
errors.install(api)

for module in (organisations, pairings, activities, problems, people, meals, summary):
    api.add_router("", module.router)
