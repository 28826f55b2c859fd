"""API authentication (its own module: DRF imports it while loading its views)."""

from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from civicportal.queries import PreparedQuery

# Every token-authenticated request runs this; compiled once per process (see queries.py).
_token_with_user = PreparedQuery(lambda key: Token.objects.select_related("user", "user__profile").filter(key=key))


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, loading the user's profile in the same query
    (every program's eligibility and consent checks read it)."""

    def authenticate_credentials(self, key):
        token = _token_with_user.get(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
