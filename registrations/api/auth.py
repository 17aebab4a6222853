"""Token login for API clients, throttled against password guessing."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle


class TokenLoginThrottle(AnonRateThrottle):
    scope = "token_login"
    rate = "10/min"


class TokenLoginApi(ObtainAuthToken):
    """POST username and password; answers a token. Ten tries a minute per address."""

    throttle_classes = [TokenLoginThrottle]
