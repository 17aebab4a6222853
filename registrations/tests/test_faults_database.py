"""PostgreSQL goes away: the portal answers 503 with a plain page, then recovers by itself.

The test's connection runs through a TCP proxy in a thread; stopping the proxy cuts
every open connection and refuses new ones, as a database restart or a network cut
does. No request may answer with a traceback or a 500, and once the proxy listens
again the very next requests succeed without any restart of the portal.
"""

import contextlib

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

from testing.logins import login
from testing.tcp_proxy import TcpProxy


@pytest.fixture
def database_through_proxy(transactional_db):
    connection = connections["default"]
    original = {"HOST": connection.settings_dict["HOST"], "PORT": connection.settings_dict["PORT"]}
    proxy = TcpProxy(original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432)).start()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    try:
        yield proxy
    finally:
        proxy.stop()
        with contextlib.suppress(Exception):
            connection.close()
        connection.settings_dict.update(original)
        connection.close()


def _pages(personas):
    """An anonymous page that reads regions, a staff page (session, user, queues), /healthz."""
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    login(staff, personas.social_officer)
    return [
        (anonymous, reverse("region-search") + "?q=dayeuh"),
        (staff, reverse("staff-dashboard")),
        (anonymous, reverse("healthz")),
    ]


def _assert_unavailable(response):
    assert response.status_code == 503
    if response["Content-Type"].startswith("text/html"):
        body = response.content.decode()
        assert "Layanan sementara tidak tersedia" in body
        assert "Traceback" not in body and "OperationalError" not in body
        assert response["Retry-After"].isdigit()
    else:  # /healthz speaks JSON to load balancers
        assert response.json()["database"] == "down"


@pytest.mark.postgres
def test_database_down_answers_503_and_recovers(database_through_proxy, regions, personas):
    pages = _pages(personas)
    for client, url in pages:
        assert client.get(url).status_code == 200, url

    database_through_proxy.stop()  # open connection broken, new ones refused
    for _round in range(2):  # the broken connection first, then refused reconnects
        for client, url in pages:
            _assert_unavailable(client.get(url))

    database_through_proxy.start()  # PostgreSQL is back on the same address
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def _operational_error(*args, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def test_a_database_error_in_a_view_answers_503(regions, monkeypatch):
    """The same answer without PostgreSQL: the error raised inside a view."""
    monkeypatch.setattr("registrations.views.regions.region_search", _operational_error)
    response = Client(raise_request_exception=False).get(reverse("region-search") + "?q=dayeuh")
    _assert_unavailable(response)
    assert "no-store" in response["Cache-Control"]


def test_a_database_error_in_a_middleware_answers_503(personas, monkeypatch):
    """Raised before any view runs (loading the session): the 500 handler turns it into 503."""
    client = login(Client(raise_request_exception=False), personas.social_officer)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", _operational_error)
    _assert_unavailable(client.get(reverse("staff-dashboard")))


def test_other_errors_still_answer_500(regions, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("not a database problem")

    monkeypatch.setattr("registrations.views.regions.region_search", boom)
    response = Client(raise_request_exception=False).get(reverse("region-search") + "?q=dayeuh")
    assert response.status_code == 500 and "Retry-After" not in response
