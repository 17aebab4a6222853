"""The user model: one role, the right region level, and the admin that assigns them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from registrations.models import Role, User
from testing.personas import make_user
from testing.regions import REGENCY, VILLAGE_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "region", "ok"),
    [
        (Role.VILLAGE_OPERATOR, VILLAGE_A, True),
        (Role.VILLAGE_OPERATOR, REGENCY, False),
        (Role.SOCIAL_OFFICER, REGENCY, True),
        (Role.SOCIAL_OFFICER, VILLAGE_A, False),
        (Role.REGENCY_HEAD, REGENCY, True),
        (Role.PROVINCIAL_STAFF, "32", True),
        (Role.PROVINCIAL_STAFF, REGENCY, False),
        (Role.MINISTRY_STAFF, None, True),
        (Role.MINISTRY_STAFF, "32", False),
        (Role.RESIDENT, None, True),
        (Role.RESIDENT, VILLAGE_A, True),
    ],
)
def test_role_is_assigned_at_its_region_level(regions, role, region, ok):
    user = User(username="u", role=role, region_id=region)
    user.set_unusable_password()
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            user.full_clean()
        assert "region" in excinfo.value.message_dict


def test_database_refuses_regional_staff_without_region(regions):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lost", role=Role.SOCIAL_OFFICER, region=None)


def test_admin_assigns_role_and_region(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("admin:registrations_user_change", args=[personas.operator_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="role"' in html and 'name="region"' in html
    changelist = client.get(reverse("admin:registrations_user_changelist"), {"role": Role.VILLAGE_OPERATOR})
    assert "operator_a" in changelist.content.decode()


def test_staff_without_admin_flag_cannot_open_admin(client, personas):
    client.force_login(personas.ministry)
    assert client.get(reverse("admin:index")).status_code == 302


def test_login_with_password(client, personas):
    from testing.personas import PASSWORD

    response = client.post(reverse("login"), {"username": "operator_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("household-list")).status_code == 200


def test_make_user_helper_validates(regions):
    with pytest.raises(ValidationError):
        make_user("x", Role.VILLAGE_OPERATOR, REGENCY)


def test_admin_reads_the_audit_trail_but_cannot_change_it(client, personas):
    client.force_login(personas.admin)
    for name in ("proposalevent", "documentaccess", "proposal"):
        assert client.get(reverse(f"admin:registrations_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:registrations_{name}_add")).status_code == 403
