import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_openapi_schema_covers_the_api(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/regions/", "/api/regions/{code}/", "/api/households/", "/api/households/{id}/"} <= set(
        schema["paths"]
    )


def test_docs_ui_is_served_locally(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "//unpkg" not in html
