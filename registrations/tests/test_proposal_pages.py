"""The Daftar Usulan pages, sign-up pages, documents view, and the operator's queues."""

import pytest
from django.urls import reverse

from registrations.models import DocumentAccess, IdentityStatus, Proposal, ProposalStatus, ResidentProfile
from registrations.services import residents as resident_services
from testing.numbers import kk_for, nik_for
from testing.personas import PASSWORD
from testing.proposals import complete_draft, member_rows
from testing.regions import VILLAGE_A
from testing.residents import confirmed_resident
from testing.uploads import pdf_upload, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


def _sign_up_post(client, **overrides):
    import datetime

    birth = datetime.date(1990, 3, 15)
    data = {
        "nik": nik_for(birth, "L"),
        "kk_number": kk_for(),
        "full_name": "  Dede   Supriatna ",
        "birth_date": birth.isoformat(),
        "sex": "L",
        "village": VILLAGE_A,
        "email": "dede@contoh.id",
        "phone": "081298765432",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "ktp_photo": photo_upload("ktp.jpg"),
        "selfie_photo": photo_upload("selfie.jpg", seed=4),
    }
    data.update(overrides)
    return client.post(reverse("resident-sign-up"), data)


def test_sign_up_page_activation_and_operator_confirmation(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    assert client.get(reverse("resident-sign-up")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up_post(client)
    assert response.status_code == 302 and response["Location"] == reverse("resident-sign-up-done")
    profile = ResidentProfile.objects.get(user__email="dede@contoh.id")
    assert profile.full_name == "Dede Supriatna"
    link = next(line for line in mailoutbox[0].body.splitlines() if "/akun/aktivasi/" in line).strip()
    assert client.get(link.replace("http://testserver", "")).status_code == 302
    assert client.login(username="dede@contoh.id", password=PASSWORD)
    page = client.get(reverse("resident-account")).content.decode()
    assert "Menunggu pemeriksaan operator desa" in page
    client.logout()

    client.force_login(personas.operator_a)
    queue = client.get(reverse("identity-queue")).content.decode()
    assert "Dede Supriatna" in queue
    detail = client.get(reverse("identity-detail", args=[profile.pk]))
    assert profile.nik in detail.content.decode()
    response = client.post(reverse("identity-detail", args=[profile.pk]), {"decision": "confirm", "reason": ""})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.identity_status == IdentityStatus.CONFIRMED


def test_sign_up_with_a_wrong_nik_shows_the_part_that_is_wrong(client, regions):
    response = _sign_up_post(client, nik="3204121503900001", sex="P")  # the NIK says male, the form says female
    assert response.status_code == 200
    assert "Jenis kelamin" in response.content.decode()
    assert not ResidentProfile.objects.exists()


def test_sign_up_with_a_pdf_as_photo_is_refused_clearly(client, regions):
    response = _sign_up_post(client, ktp_photo=pdf_upload())
    assert response.status_code == 200
    assert "bukan foto" in response.content.decode()
    assert not ResidentProfile.objects.exists()


def test_operator_of_another_village_cannot_review(client, personas):
    resident = confirmed_resident()
    ResidentProfile.objects.filter(user=resident).update(identity_status="menunggu")
    client.force_login(personas.operator_b)
    assert client.get(reverse("identity-detail", args=[resident.resident.pk])).status_code == 404
    assert resident.resident.full_name not in client.get(reverse("identity-queue")).content.decode()
    client.force_login(personas.social_officer)
    assert client.get(reverse("identity-queue")).status_code == 403


def test_daftar_usulan_steps_through_the_pages(client, personas, mailoutbox, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    client.force_login(resident)
    response = client.post(reverse("proposal-start"), {"kind": "baru"})
    proposal = Proposal.objects.get(applicant=resident)
    assert response["Location"] == reverse("proposal-step", args=[proposal.tracking_number, "rumah-tangga"])
    step = lambda slug: reverse("proposal-step", args=[proposal.tracking_number, slug])  # noqa: E731

    page = client.get(step("rumah-tangga")).content.decode()
    assert 'name="village__l1"' in page and "32.04.12.2002" in page
    response = client.post(
        step("rumah-tangga"),
        {"kk_number": proposal.kk_number, "village": VILLAGE_A, "address": "Kp. Bojong No. 3", "rt": "3", "rw": "7"},
    )
    assert response["Location"] == step("anggota")
    proposal.refresh_from_db()
    assert (proposal.rt, proposal.rw) == ("003", "007")

    rows = member_rows()
    data = {
        "anggota-TOTAL_FORMS": str(len(rows) + 1),
        "anggota-INITIAL_FORMS": "0",
        "anggota-MIN_NUM_FORMS": "1",
        "anggota-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key == "pregnant":
                if value:
                    data[f"anggota-{i}-{key}"] = "on"
            else:
                data[f"anggota-{i}-{key}"] = str(value)
    data[f"anggota-{len(rows)}-disability"] = "tidak"  # the blank row, as a browser sends it
    response = client.post(step("anggota"), data)
    assert response.status_code == 302, (
        response.context["formset"].errors,
        response.context["formset"].non_form_errors(),
    )
    assert proposal.members.count() == 3

    response = client.post(
        step("kondisi"), {"no_fixed_income": "on", "poor_roof": "on", "floor_area_m2": "21", "monthly_income": "900000"}
    )
    assert response["Location"] == step("program")
    response = client.post(step("program"), {"action": "programmes", "programmes": ["PKH", "BPNT"], "statement": ""})
    assert response["Location"] == step("periksa")
    response = client.post(
        step("program"), {"action": "document", "kind": "kk", "file": photo_upload("kk.heic", seed=8)}
    )
    assert response.status_code == 302
    review = client.get(step("periksa")).content.decode()
    assert "Belum dapat dikirim" not in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step("periksa"))
    assert response["Location"] == reverse("proposal-status", args=[proposal.tracking_number])
    status = client.get(response["Location"]).content.decode()
    assert "Diajukan, menunggu musyawarah desa" in status and "data-timeline" in status
    assert len(mailoutbox) == 1
    # Once submitted, the steps send the resident back to the status page.
    assert client.get(step("anggota"))["Location"] == reverse("proposal-status", args=[proposal.tracking_number])


def test_members_step_shows_nik_errors_per_field(client, personas):
    resident = confirmed_resident()
    client.force_login(resident)
    client.post(reverse("proposal-start"), {"kind": "baru"})
    proposal = Proposal.objects.get(applicant=resident)
    row = member_rows()[0]
    data = {
        "anggota-TOTAL_FORMS": "1",
        "anggota-INITIAL_FORMS": "0",
        "anggota-MIN_NUM_FORMS": "1",
        "anggota-MAX_NUM_FORMS": "20",
    }
    data.update({f"anggota-0-{k}": str(v) for k, v in row.items() if k != "pregnant"})
    data["anggota-0-birth_date"] = "1981-02-03"  # the NIK says 1980
    response = client.post(reverse("proposal-step", args=[proposal.tracking_number, "anggota"]), data)
    assert response.status_code == 200
    assert "Tanggal lahir pada NIK" in response.content.decode()
    assert not proposal.members.exists()


def test_proposals_of_others_are_404(client, personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    other = confirmed_resident("budi", village="32.04.12.2003")
    for user in (other, personas.operator_b, personas.social_officer_other_regency):
        client.force_login(user)
        assert client.get(reverse("proposal-status", args=[proposal.tracking_number])).status_code == 404
    client.force_login(other)
    assert client.get(reverse("proposal-step", args=[proposal.tracking_number, "anggota"])).status_code == 404
    client.force_login(personas.operator_a)  # staff of the village may look, but not edit a resident's own draft
    assert client.get(reverse("proposal-status", args=[proposal.tracking_number])).status_code == 200
    assert client.get(reverse("proposal-step", args=[proposal.tracking_number, "anggota"])).status_code == 403


def test_withdraw_from_the_status_page(client, personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    client.force_login(resident)
    response = client.post(reverse("proposal-withdraw", args=[proposal.tracking_number]), {"reason": "Tidak jadi"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


def test_walk_in_entry_by_the_operator(client, personas):
    client.force_login(personas.operator_a)
    client.post(reverse("proposal-start"), {"kind": "baru"})
    proposal = Proposal.objects.get(entered_by=personas.operator_a)
    assert proposal.channel == "luring" and proposal.applicant is None
    listing = client.get(reverse("proposal-list")).content.decode()
    assert proposal.tracking_number in listing


def test_documents_are_served_only_to_owner_and_staff_in_scope_and_staff_views_logged(client, personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    document = proposal.documents.get()
    url = reverse("proposal-document", args=[document.pk, "full"])
    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(resident)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert not DocumentAccess.objects.exists()  # owners are not logged as staff access
    client.force_login(personas.operator_b)
    assert client.get(url).status_code == 404
    client.force_login(personas.social_officer)
    assert client.get(reverse("proposal-document", args=[document.pk, "thumb"])).status_code == 200
    access = DocumentAccess.objects.get()
    assert (access.user, access.document_type, access.document_id, access.variant) == (
        personas.social_officer,
        "usulan",
        document.pk,
        "thumb",
    )
    assert client.get(reverse("proposal-document", args=[document.pk, "raw"])).status_code == 404


def test_identity_photos_follow_the_same_rule(client, personas, regions):
    from testing.residents import sign_up_data

    user = resident_services.resident_sign_up(
        data=sign_up_data(),
        ktp_file=photo_upload(),
        selfie_file=photo_upload(seed=5),
        request_base_url="http://testserver/",
    )
    document = user.resident.documents.get(kind="ktp")
    url = reverse("identity-document", args=[document.pk, "thumb"])
    client.force_login(personas.operator_b)
    assert client.get(url).status_code == 404
    client.force_login(personas.operator_a)
    assert client.get(url).status_code == 200
    assert DocumentAccess.objects.filter(user=personas.operator_a, document_type="identitas").count() == 1


def test_operator_sees_niks_already_registered_or_in_another_open_proposal(client, personas):
    from registrations.models import Household, Member, ProposalMember

    resident = confirmed_resident()
    proposal = complete_draft(resident)
    head = proposal.members.get(relation="kepala")
    spouse = proposal.members.get(relation="pasangan")
    household = Household.objects.create(
        kk_number=kk_for(), village_id="32.04.12.2003", address="Jl. Lain 1", rt="001", rw="001"
    )
    Member.objects.create(
        household=household,
        nik=head.nik,
        full_name=head.full_name,
        birth_place="Bandung",
        birth_date=head.birth_date,
        sex=head.sex,
        relation="kepala",
        marital_status="kawin",
    )
    other = complete_draft(personas.operator_a)
    ProposalMember.objects.filter(proposal=other, relation="anak").update(nik=spouse.nik)
    client.force_login(personas.operator_a)
    html = client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
    assert "sudah terdaftar di rumah tangga lain" in html and "Desa Cangkuang Wetan" in html
    assert f"usulan lain yang masih berjalan ({other.tracking_number})" in html
    assert html.count("data-flag") == 2
    client.force_login(resident)  # the resident's own view shows no NIKs and no flags
    html = client.get(reverse("proposal-status", args=[proposal.tracking_number])).content.decode()
    assert head.nik not in html and "data-flag" not in html
