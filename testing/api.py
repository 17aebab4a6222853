"""API clients for tests: a client that authenticates with a user's token, and the
workflow API's URLs by name."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import User


def api_client(user: User | None = None) -> APIClient:
    """A client that authenticates with the user's API token (anonymous without one)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    """``url("proposal-list")`` → the path of ``api-workflow-proposal-list``."""
    return reverse(f"api-workflow-{name}", args=args)
