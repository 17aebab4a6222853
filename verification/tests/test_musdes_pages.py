"""The operator runs a musdes through the pages; others see only what is theirs."""

import pytest
from django.urls import reverse

from registrations.models import DocumentAccess, ProposalStatus
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal
from verification.models import Deliberation, DeliberationStatus

pytestmark = pytest.mark.django_db


def test_operator_runs_a_musdes_end_to_end(client, personas):
    first, second = submitted_proposal("p1"), submitted_proposal("p2")
    client.force_login(personas.operator_a)
    response = client.post(
        reverse("musdes-list"),
        {
            "basis": "musdes",
            "held_on": TODAY.isoformat(),
            "place": "Balai Desa",
            "chair": "Asep",
            "chair_position": "Kepala Desa",
        },
    )
    d = Deliberation.objects.get()
    assert response["Location"] == reverse("musdes-detail", args=[d.pk])
    act = lambda action, data=None: client.post(reverse("musdes-action", args=[d.pk, action]), data or {})  # noqa: E731
    act("peserta", {"name": "Dedi Mulyadi", "position": "Ketua BPD", "signs": "on"})
    act("tarik-usulan")
    items = [d.items.get(proposal=first), d.items.get(proposal=second)]
    assert len(items) == 2
    page = client.get(reverse("musdes-detail", args=[d.pk])).content.decode()
    assert first.tracking_number in page and "Dedi Mulyadi" in page
    data = {"hasil-TOTAL_FORMS": "2", "hasil-INITIAL_FORMS": "2"}
    data.update({"hasil-0-item": items[0].pk, "hasil-0-outcome": "setuju", "hasil-0-reason": ""})
    data.update({"hasil-1-item": items[1].pk, "hasil-1-outcome": "tolak", "hasil-1-reason": "Memiliki mobil"})
    act("hasil", data)
    act("tutup")
    d.refresh_from_db()
    assert d.status == DeliberationStatus.CLOSED
    pdf = client.get(reverse("musdes-minutes", args=[d.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert DocumentAccess.objects.filter(document_type="berita_acara", document_id=d.pk).exists()
    act("tanda-tangan", {"scan": photo_upload("ttd.jpg", seed=60)})
    d.refresh_from_db()
    assert d.status == DeliberationStatus.SIGNED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ProposalStatus.MUSDES_APPROVED, ProposalStatus.MUSDES_REJECTED)


def test_refusals_show_as_messages_and_change_nothing(client, personas):
    submitted_proposal()
    client.force_login(personas.operator_a)
    client.post(
        reverse("musdes-list"),
        {"basis": "musdes", "held_on": TODAY.isoformat(), "place": "Balai", "chair": "Asep", "chair_position": "Kades"},
    )
    d = Deliberation.objects.get()
    client.post(reverse("musdes-action", args=[d.pk, "tarik-usulan"]))
    response = client.post(reverse("musdes-action", args=[d.pk, "tutup"]), follow=True)
    assert "belum dicatat hasilnya" in response.content.decode()
    assert Deliberation.objects.get().status == DeliberationStatus.OPEN


def test_other_villages_and_roles_cannot_reach_it(client, personas):
    proposal = submitted_proposal()
    d = held_musdes(personas.operator_a, [proposal])
    client.force_login(personas.operator_b)
    assert client.get(reverse("musdes-detail", args=[d.pk])).status_code == 404
    assert client.get(reverse("musdes-minutes", args=[d.pk])).status_code == 404
    assert client.post(reverse("musdes-action", args=[d.pk, "tutup"])).status_code == 404
    client.force_login(personas.social_officer)  # the regency may read the minutes, not act
    assert client.get(reverse("musdes-detail", args=[d.pk])).status_code == 200
    assert client.get(reverse("musdes-minutes", args=[d.pk])).status_code == 200
    assert client.post(reverse("musdes-action", args=[d.pk, "tutup"])).status_code == 403
    client.force_login(personas.social_officer_other_regency)
    assert client.get(reverse("musdes-detail", args=[d.pk])).status_code == 404


def test_residents_see_published_outcomes_masked(client, personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    head = proposal.members.get(relation="kepala")
    client.force_login(proposal.applicant)
    html = client.get(reverse("musdes-published")).content.decode()
    assert "Disetujui" in html and head.full_name not in html and head.nik not in html
    from registrations.names import mask_name

    assert mask_name(head.full_name) in html


def test_musdes_outcome_list_exports_without_numbers(client, personas):
    import io

    from openpyxl import load_workbook

    proposal = submitted_proposal()
    d = held_musdes(personas.operator_a, [proposal])
    client.force_login(personas.operator_a)
    response = client.get(reverse("musdes-export", args=[d.pk]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    assert proposal.tracking_number in text and "Disetujui" in text
    assert proposal.kk_number not in text and all(m.nik not in text for m in proposal.members.all())
    xlsx = client.get(reverse("musdes-export", args=[d.pk]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.cell(row=2, column=1).value == proposal.tracking_number
    client.force_login(personas.operator_b)
    assert client.get(reverse("musdes-export", args=[d.pk])).status_code == 404
