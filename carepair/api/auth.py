"""Bearer tokens (`Authorization: Bearer <key>`), issued by `carepair token USERNAME`.

No session and no CSRF token: a token client is a program, not a browser."""

from ninja.security import HttpBearer

from carepair.accounts.models import ApiToken


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token) if token else None
        if user is not None:
            # History entries and anything else that reads request.user see the token's owner.
            request.user = user
        return user
