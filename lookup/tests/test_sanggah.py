"""Usul sanggah: filing, the daily limit, moves by role and region, anonymity, outcome."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from dtsen_portal.errors import DomainError, InvalidTransition, NotAllowed
from lookup.indexing import lookup_index_village
from lookup.models import LookupEntry, Objection, ObjectionStatus
from lookup.sanggah_workflow import objection_move
from lookup.services import objection_file, pick_token
from testing.households import household_headed_by
from testing.personas import PASSWORD
from testing.regions import VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.uploads import photo_upload

pytestmark = pytest.mark.django_db

STATEMENT = "Rumahnya besar dan punya dua mobil, tidak layak menerima."


@pytest.fixture
def objector(personas):
    return confirmed_resident("pelapor")


@pytest.fixture
def target(regions):
    household_headed_by("Bambang Wiryawan")
    lookup_index_village(VILLAGE_A)
    return LookupEntry.objects.get(village_code=VILLAGE_A, name_key="bambang wiryawan")


def file(objector, target, **extra):
    return objection_file(
        objector=objector,
        kind="tidak_layak",
        reason="mampu",
        statement=STATEMENT,
        photos=extra.pop("photos", []),
        pick=pick_token(target),
        **extra,
    )


def test_file_with_photo_evidence(objector, target):
    objection = file(objector, target, photos=[photo_upload("rumah.jpg")])
    assert objection.status == ObjectionStatus.RECEIVED
    assert objection.target_name == "Bambang Wiryawan" and objection.target_masked_name == "BA***NG WI***WAN"
    assert objection.evidence.count() == 1
    assert objection.events.get().to_status == ObjectionStatus.RECEIVED


def test_bad_photo_refused_and_nothing_saved(objector, target):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError):
        file(objector, target, photos=[SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")])
    assert not Objection.objects.exists()


def test_only_confirmed_residents_of_that_village(personas, target):
    with pytest.raises(NotAllowed):
        file(personas.operator_a, target)
    outsider = confirmed_resident("orang_b", village=VILLAGE_B)
    with pytest.raises(NotAllowed):
        file(outsider, target)


def test_forged_pick_refused(objector, target):
    with pytest.raises(DomainError):
        objection_file(
            objector=objector, kind="tidak_layak", reason="mampu", statement=STATEMENT, photos=[], pick="palsu"
        )


@override_settings(SANGGAH_PER_DAY=2)
def test_daily_limit(objector, target):
    file(objector, target)
    file(objector, target)
    with pytest.raises(DomainError, match="Batas 2 sanggah per hari"):
        file(objector, target)
    assert Objection.objects.count() == 2


def test_missing_neighbour(objector):
    objection = objection_file(
        objector=objector,
        kind="layak_terlewat",
        reason="belum_terdata",
        statement="Janda lansia tinggal sendiri, rumah bilik bambu, belum pernah didata.",
        photos=[],
        person_name="Mak Icih",
        rt="003",
        rw="002",
    )
    assert objection.village_id == VILLAGE_A and objection.target_masked_name == "M*K I**H"


def test_moves_by_role_and_outcome_mailed(objector, target, personas, django_capture_on_commit_callbacks):
    objection = file(objector, target)
    objection_move(objection_id=objection.pk, actor=personas.operator_a, move="review")
    objection_move(objection_id=objection.pk, actor=personas.operator_a, move="field_check", note="Dicek 5/12")
    with pytest.raises(NotAllowed):  # the operator gathers facts; Dinas Sosial decides
        objection_move(objection_id=objection.pk, actor=personas.operator_a, move="uphold", note="x")
    with pytest.raises(DomainError):
        objection_move(objection_id=objection.pk, actor=personas.social_officer, move="uphold")
    with django_capture_on_commit_callbacks(execute=True):
        objection_move(objection_id=objection.pk, actor=personas.social_officer, move="uphold", note="Terbukti mampu.")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.decided_by == personas.social_officer
    assert [e.to_status for e in objection.events.all()] == ["diterima", "ditinjau", "dicek_lapangan", "dikabulkan"]
    (message,) = mail.outbox
    assert message.to == [objector.email] and objection.number in message.body and "Dikabulkan" in message.body
    with pytest.raises(InvalidTransition):
        objection_move(objection_id=objection.pk, actor=personas.social_officer, move="dismiss", note="x")


def test_other_region_staff_cannot_act(objector, target, personas):
    objection = file(objector, target)
    for outsider in (personas.operator_b, personas.social_officer_other_regency):
        with pytest.raises(NotAllowed):
            objection_move(objection_id=objection.pk, actor=outsider, move="review")


def test_other_region_staff_get_404_pages(client, objector, target, personas):
    objection = file(objector, target)
    client.login(username=personas.operator_b.username, password=PASSWORD)
    assert client.get(reverse("sanggah-detail", args=[objection.number])).status_code == 404
    assert objection.number not in client.get(reverse("sanggah-queue")).content.decode()
    response = client.post(reverse("sanggah-move", args=[objection.number, "review"]))
    assert response.status_code == 404
    client.login(username=personas.operator_a.username, password=PASSWORD)
    assert objection.number in client.get(reverse("sanggah-queue")).content.decode()
    assert client.get(reverse("sanggah-detail", args=[objection.number])).status_code == 200


def test_objector_is_anonymous_outside_staff_pages(client, objector, target, captcha_passes):
    objector.first_name = "Wulandari"
    objector.save(update_fields=["first_name"])
    objection = file(objector, target)
    # The person objected to (a resident of the same village) searching themselves.
    client.login(username=confirmed_resident("bambang").username, password=PASSWORD)
    page = client.post(
        reverse("lookup"), {"village": VILLAGE_A, "name": "Bambang Wiryawan", "captcha_0": "x", "captcha_1": "PASSED"}
    ).content.decode()
    assert "data-person" in page
    for value in (objector.username, objector.first_name, objector.email, objection.number):
        assert value not in page
    assert objection.number not in client.get(reverse("sanggah-mine")).content.decode()
    assert client.get(reverse("sanggah-detail", args=[objection.number])).status_code == 403


def test_resident_files_through_pages(client, objector, target, captcha_passes):
    client.login(username=objector.username, password=PASSWORD)
    page = client.post(
        reverse("lookup"), {"village": VILLAGE_A, "name": "Bambang Wiryawan", "captcha_0": "x", "captcha_1": "PASSED"}
    ).content.decode()
    assert "data-sanggah-link" in page
    token = pick_token(target)
    form = client.get(reverse("sanggah-new"), {"pilih": token})
    assert "BA***NG WI***WAN" in form.content.decode()
    short = client.post(reverse("sanggah-new"), {"pilih": token, "reason": "mampu", "statement": "pendek"})
    assert short.status_code == 200 and not Objection.objects.exists()
    response = client.post(
        reverse("sanggah-new"),
        {"pilih": token, "reason": "mampu", "statement": STATEMENT, "photos": [photo_upload("r.jpg")]},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    mine = client.get(reverse("sanggah-mine")).content.decode()
    assert objection.number in mine and "Diterima" in mine


def test_no_sanggah_link_for_another_village(client, personas, captcha_passes):
    household_headed_by("Bambang Wiryawan", VILLAGE_B)
    lookup_index_village(VILLAGE_B)
    client.login(username=confirmed_resident("pelapor").username, password=PASSWORD)
    page = client.post(
        reverse("lookup"), {"village": VILLAGE_B, "name": "Bambang Wiryawan", "captcha_0": "x", "captcha_1": "PASSED"}
    ).content.decode()
    assert "data-person" in page and "data-sanggah-link" not in page


def test_staff_queue_is_paginated_newest_first(client, objector, target, personas, monkeypatch):
    from lookup.views import sanggah as sanggah_views

    monkeypatch.setattr(sanggah_views, "QUEUE_PAGE_SIZE", 1)
    first, second = file(objector, target), file(objector, target)
    client.login(username=personas.operator_a.username, password=PASSWORD)
    page_one = client.get(reverse("sanggah-queue")).content.decode()
    page_two = client.get(reverse("sanggah-queue"), {"halaman": 2}).content.decode()
    assert second.number in page_one and first.number not in page_one and "Halaman 1 dari 2" in page_one
    assert first.number in page_two and second.number not in page_two
