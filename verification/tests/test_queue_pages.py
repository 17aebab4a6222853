"""The staff queues through the pages: who sees which proposals, every decision posted
through a page, refusals that change nothing, and query counts that do not grow with
the rows on a page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import DocumentAccess, Household, Proposal, ProposalStatus
from registrations.selectors import member_duplicate_flags
from testing.households import registered_household
from testing.personas import make_user
from testing.proposals import queued
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_B
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal, through_province, through_regency, verified
from verification.models import Assignment, Batch, BatchKind, FieldVisit, MatchOutcome, MemberMatch
from verification.workflow.selectors import queue
from verification.workflow.services import review

pytestmark = pytest.mark.django_db

S = ProposalStatus
QUEUE_URLS = ["verification-queue", "approval-queue", "forwarding-queue", "determination-queue"]
OWNER = {
    "verification-queue": "social_officer",
    "approval-queue": "regency_head",
    "forwarding-queue": "provincial",
    "determination-queue": "ministry",
}


def _page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _numbers(proposals):
    return {p.tracking_number for p in proposals}


def _listed(html, proposals):
    return {p.tracking_number for p in proposals if f'data-proposal="{p.tracking_number}"' in html}


def _musdes_approved(personas, username="p1", village=None, operator=None):
    proposal = submitted_proposal(username, **({"village": village} if village else {}))
    held_musdes(operator or personas.operator_a, [proposal])
    proposal.refresh_from_db()
    assert proposal.status == S.MUSDES_APPROVED
    return proposal


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["staff-dashboard", *QUEUE_URLS, "batch-list"])
def test_anonymous_goes_to_login(client, regions, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_residents_and_other_roles_are_refused(client, personas):
    client.force_login(personas.resident)
    for name in ["staff-dashboard", *QUEUE_URLS, "batch-list"]:
        assert client.get(reverse(name)).status_code == 403, name
    for role in ["operator_a", "social_officer", "regency_head", "provincial", "ministry", "admin"]:
        client.force_login(getattr(personas, role))
        for name in QUEUE_URLS:
            expected = 200 if OWNER[name] == role else 403
            assert client.get(reverse(name)).status_code == expected, (role, name)
            assert client.post(reverse(name), {}).status_code == expected, (role, name)


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_and_oldest_wait_per_role_and_region(client, personas, django_assert_max_num_queries):
    op = personas.operator_a
    queued(2, status=S.MUSDES_APPROVED, entered_by=op, waiting_days=3)
    queued(1, status=S.MUSDES_APPROVED, entered_by=op, waiting_days=21)
    queued(4, status=S.MUSDES_APPROVED, entered_by=personas.operator_other_regency, village=OTHER_REGENCY_VILLAGE)
    queued(2, status=S.VERIFIED, entered_by=op, waiting_days=9)
    queued(1, status=S.SUBMITTED, entered_by=op, waiting_days=2)
    queued(1, status=S.RETURNED, entered_by=op, waiting_days=5)
    queued(3, status=S.SUBMITTED, entered_by=personas.operator_b, village=VILLAGE_B)
    queued(1, status=S.FORWARDED, entered_by=op, waiting_days=40)
    mine = queue(personas.social_officer, S.MUSDES_APPROVED).first()
    Assignment.objects.create(proposal=mine, verifier=personas.social_officer, assigned_by=personas.social_officer)

    client.force_login(personas.social_officer)
    with CaptureQueriesContext(connection) as ctx:
        html = _page(client, "staff-dashboard")
    # one aggregate query over the proposals, whatever the number of steps or rows
    assert sum("registrations_proposal" in q["sql"] for q in ctx.captured_queries) == 1
    assert 'data-step="disetujui_musdes"' in html and 'data-step="terverifikasi"' not in html
    assert '<p class="display-6 mb-1" data-count>3</p>' in html  # not Sumedang's 4
    assert 'data-oldest-days="21"' in html and "1 ditugaskan kepada Anda" in html
    assert reverse("verification-queue") in html

    client.force_login(personas.regency_head)
    html = _page(client, "staff-dashboard")
    assert 'data-step="terverifikasi"' in html and "data-count>2<" in html and 'data-oldest-days="9"' in html
    assert reverse("approval-queue") in html

    client.force_login(personas.operator_a)  # village A only: not village B's 3
    html = _page(client, "staff-dashboard")
    assert 'data-step="diajukan"' in html and 'data-step="dikembalikan"' in html
    assert html.count("data-count>1<") == 2 and 'data-oldest-days="5"' in html

    client.force_login(personas.ministry)
    html = _page(client, "staff-dashboard")
    assert 'data-step="diteruskan"' in html and 'data-oldest-days="40"' in html

    client.force_login(personas.admin)  # every step, read-only
    # session, user, the second-factor device (django-otp), then the page's own queries
    with django_assert_max_num_queries(5):
        html = client.get(reverse("staff-dashboard")).content.decode()
    assert html.count("data-step=") == 6 and "Buka antrean" not in html


# --- social office ---------------------------------------------------------------------------


def test_social_office_queue_lists_its_regency_only(client, personas):
    bandung = _musdes_approved(personas)
    sumedang = _musdes_approved(personas, "p2", village=OTHER_REGENCY_VILLAGE, operator=personas.operator_other_regency)
    still_submitted = submitted_proposal("p3")
    client.force_login(personas.social_officer)
    html = _page(client, "verification-queue")
    assert _listed(html, [bandung, sumedang, still_submitted]) == {bandung.tracking_number}
    assert "Budi Santoso" in html and "Desa Dayeuhkolot" in html
    client.force_login(personas.social_officer_other_regency)
    html = _page(client, "verification-queue")
    assert _listed(html, [bandung, sumedang]) == {sumedang.tracking_number}
    # the proposal page of another regency is a 404, like a missing one
    assert client.get(reverse("verification-detail", args=[bandung.tracking_number])).status_code == 404


def test_social_office_filters(client, personas):
    op = personas.operator_a
    old = queued(1, status=S.MUSDES_APPROVED, entered_by=op, waiting_days=20)
    fresh = queued(1, status=S.MUSDES_APPROVED, entered_by=op, waiting_days=1)
    in_b = queued(1, status=S.MUSDES_APPROVED, entered_by=personas.operator_b, village=VILLAGE_B, waiting_days=8)
    # a member of ``dup`` also stands in another open proposal (``twin``, waiting for musdes)
    dup = queued(1, status=S.MUSDES_APPROVED, entered_by=op, waiting_days=2)
    twin = queued(1, status=S.SUBMITTED, entered_by=op)
    head = dup[0].members.get(relation="kepala")
    twin[0].members.filter(relation="kepala").update(nik=head.nik)
    Assignment.objects.create(proposal=old[0], verifier=personas.social_officer, assigned_by=personas.social_officer)
    everything = old + fresh + in_b + dup
    client.force_login(personas.social_officer)

    def listed(**params):
        return _listed(_page(client, "verification-queue", **params), everything)

    assert listed() == _numbers(everything)
    assert listed(desa=VILLAGE_B) == _numbers(in_b)
    assert listed(umur="7") == _numbers(old + in_b)
    assert listed(umur="14") == _numbers(old)
    assert listed(tanda="ya") == _numbers(dup)
    assert listed(tanda="tidak") == _numbers(old + fresh + in_b)
    assert listed(penugasan="saya") == _numbers(old)
    assert listed(penugasan="belum") == _numbers(fresh + in_b + dup)
    assert listed(nomor=fresh[0].tracking_number) == _numbers(fresh)
    # a village outside the regency is not a choice: the filter is ignored, scope stays
    assert listed(desa=OTHER_REGENCY_VILLAGE) == _numbers(everything)
    html = _page(client, "verification-queue", tanda="ya")
    assert 'data-flags="1"' in html
    # the proposal page says where the NIK also stands
    html = _page(client, "verification-detail", dup[0].tracking_number)
    assert "data-flag" in html and twin[0].tracking_number in html


def test_population_check_flags(client, personas):
    op = personas.operator_a
    differs, matches, unchecked = (queued(1, status=S.MUSDES_APPROVED, entered_by=op)[0] for _ in range(3))
    head = differs.members.get(relation="kepala")
    MemberMatch.objects.create(
        member=head,
        outcome=MatchOutcome.MISMATCH,
        differences=[{"field": "nama", "proposal": "Budi Santoso", "population": "Budi Santosa"}],
    )
    MemberMatch.objects.create(member=differs.members.get(relation="anak"), outcome=MatchOutcome.DECEASED)
    for member in matches.members.all():
        MemberMatch.objects.create(member=member, outcome=MatchOutcome.MATCHED)
    client.force_login(personas.social_officer)
    everything = [differs, matches, unchecked]
    assert _listed(_page(client, "verification-queue", tanda="dukcapil"), everything) == _numbers([differs])
    assert _listed(_page(client, "verification-queue", tanda="tidak"), everything) == _numbers([matches, unchecked])
    assert 'data-matches="2"' in _page(client, "verification-queue")
    html = _page(client, "verification-detail", differs.tracking_number)
    assert 'data-match="beda"' in html and "Budi Santosa" in html and 'data-match="meninggal"' in html


def test_flag_subquery_agrees_with_member_duplicate_flags(personas):
    op = personas.operator_a
    plain = queued(1, status=S.MUSDES_APPROVED, entered_by=op)[0]
    # the registered household this update proposal is about: its own members are no flag
    household = registered_household()
    update = queued(1, status=S.MUSDES_APPROVED, entered_by=op, household=household)[0]
    own = list(household.members.values_list("nik", flat=True))
    for member, nik in zip(update.members.order_by("id"), own, strict=True):
        member.nik = nik
        member.save()
    # a new proposal whose head is already registered elsewhere: one flag
    registered = queued(1, status=S.MUSDES_APPROVED, entered_by=op)[0]
    registered_household(niks=[registered.members.get(relation="kepala").nik])
    # a member also in a closed proposal: no flag; in an open one: a flag
    closed = queued(1, status=S.DETERMINED, entered_by=op)[0]
    with_closed = queued(1, status=S.MUSDES_APPROVED, entered_by=op)[0]
    closed.members.filter(relation="anak").update(nik=with_closed.members.get(relation="anak").nik)
    rows = {p.pk: p.flag_count for p in queue(personas.social_officer, S.MUSDES_APPROVED)}
    for proposal in (plain, update, registered, with_closed):
        expected = sum(1 for found in member_duplicate_flags(proposal).values() if found)
        assert rows[proposal.pk] == expected, proposal
    assert rows[registered.pk] == 1 and rows[update.pk] == 0 and rows[with_closed.pk] == 0


def test_assign_through_the_queue_and_refusals(client, personas):
    proposal = _musdes_approved(personas)
    colleague = make_user("dinsos_bandung_2", "dinsos", "32.04", first_name="Rina")
    client.force_login(personas.social_officer)
    html = _page(client, "verification-queue")
    assert "Rina" in html  # the regency's verifiers are the choices
    url = reverse("verification-assign", args=[proposal.tracking_number])
    response = client.post(url, {"verifier": colleague.pk, "next": reverse("verification-queue")}, follow=True)
    assert Assignment.objects.get(proposal=proposal).verifier == colleague
    assert "ditugaskan kepada Rina" in response.content.decode()
    # a verifier of another regency is not a choice: refused, nothing changes
    client.post(url, {"verifier": personas.social_officer_other_regency.pk})
    assert Assignment.objects.get(proposal=proposal).verifier == colleague
    # an officer of another regency posting a Bandung proposal: 404, nothing changes
    client.force_login(personas.social_officer_other_regency)
    response = client.post(url, {"verifier": personas.social_officer_other_regency.pk})
    assert response.status_code == 404
    assert Assignment.objects.get(proposal=proposal).verifier == colleague
    client.force_login(personas.regency_head)
    assert client.post(url, {"verifier": colleague.pk}).status_code == 403
    # an open redirect through ``next`` is not followed
    client.force_login(personas.social_officer)
    response = client.post(url, {"verifier": personas.social_officer.pk, "next": "https://jahat.example/"})
    assert response["Location"] == reverse("verification-queue")


def test_field_visit_through_the_page_with_photos(client, personas):
    proposal = _musdes_approved(personas)
    client.force_login(personas.social_officer)
    url = reverse("verification-detail", args=[proposal.tracking_number])
    html = _page(client, "verification-detail", proposal.tracking_number)
    document = proposal.documents.get()
    assert reverse("proposal-document", args=[document.pk, "thumb"]) in html
    assert "data-timeline" in html and "Disetujui musyawarah desa" in html
    assert 'name="floor_area_m2" value="24.0"' in html  # pre-filled with the declared value
    assert 'name="no_fixed_income"' in html and "checked" in html
    assert "data-flag" not in html
    data = {
        "visited_on": TODAY.isoformat(),
        "floor_area_m2": "18",
        "monthly_income": "750000",
        "no_fixed_income": "on",
        "poor_roof": "on",  # observed, not declared
        "latitude": "-6.987654",
        "longitude": "107.623456",
        "result": "layak",
        "notes": "Sesuai.",
        "photos": [photo_upload("depan.jpg", seed=71), photo_upload("dapur.jpg", seed=72)],
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("verification-queue")
    proposal.refresh_from_db()
    visit = FieldVisit.objects.get(proposal=proposal)
    assert proposal.status == S.VERIFIED and visit.verifier == personas.social_officer
    assert visit.photos.count() == 2 and str(visit.latitude) == "-6.987654"
    assert proposal.poor_roof and not proposal.owns_motorcycle and proposal.monthly_income == 750000
    # the visit's photos are shown through the scoped, logged view
    html = _page(client, "verification-detail", proposal.tracking_number)
    photo = visit.photos.first()
    assert reverse("visit-photo", args=[photo.pk, "thumb"]) in html
    assert client.get(reverse("visit-photo", args=[photo.pk, "thumb"])).status_code == 200
    assert DocumentAccess.objects.filter(document_type="kunjungan", document_id=photo.pk).exists()
    client.force_login(personas.social_officer_other_regency)
    assert client.get(reverse("visit-photo", args=[photo.pk, "thumb"])).status_code == 404


def test_field_visit_refusals_show_on_the_form_and_change_nothing(client, personas):
    proposal = _musdes_approved(personas)
    url = reverse("verification-detail", args=[proposal.tracking_number])
    base = {"visited_on": TODAY.isoformat(), "floor_area_m2": "18", "monthly_income": "750000"}
    client.force_login(personas.social_officer)
    # returning to the village needs a note (the service's rule, shown on the field)
    response = client.post(url, {**base, "result": "kembalikan", "notes": ""})
    assert response.status_code == 200
    assert "Tuliskan catatan" in response.content.decode()
    # a visit date in the future, and latitude without longitude
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    html = client.post(url, {**base, "visited_on": future, "result": "layak", "latitude": "-6.9"}).content.decode()
    assert "tidak boleh di masa depan" in html and "Isi lintang dan bujur sekaligus" in html
    # seven photos
    photos = [photo_upload(f"f{i}.jpg", seed=80 + i) for i in range(7)]
    html = client.post(url, {**base, "result": "layak", "photos": photos}).content.decode()
    assert "Paling banyak 6 foto" in html
    # assigned to a colleague: only the colleague may record the visit
    colleague = make_user("dinsos_bandung_2", "dinsos", "32.04", first_name="Rina")
    review.verifier_assign(proposal_id=proposal.pk, actor=personas.social_officer, verifier=colleague)
    html = client.post(url, {**base, "result": "layak"}).content.decode()
    assert "data-refusal" in html and "ditugaskan kepada Rina" in html
    # another regency's officer: 404
    client.force_login(personas.social_officer_other_regency)
    assert client.post(url, {**base, "result": "layak"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == S.MUSDES_APPROVED and not FieldVisit.objects.exists()
    assert proposal.monthly_income == 1_200_000


def test_field_visit_return_goes_back_to_the_village(client, personas):
    proposal = _musdes_approved(personas)
    client.force_login(personas.social_officer)
    url = reverse("verification-detail", args=[proposal.tracking_number])
    data = {"visited_on": TODAY.isoformat(), "floor_area_m2": "30", "monthly_income": "1000000"}
    client.post(url, {**data, "result": "kembalikan", "notes": "RT/RW salah."})
    proposal.refresh_from_db()
    assert proposal.status == S.RETURNED and proposal.events.last().reason == "RT/RW salah."
    # no form any more on a proposal that does not wait for verification; posting is refused
    html = _page(client, "verification-detail", proposal.tracking_number)
    assert "Simpan hasil kunjungan" not in html
    client.post(url, {**data, "result": "layak"})
    assert FieldVisit.objects.count() == 1


# --- regency head ---------------------------------------------------------------------------------


def _decree(ids, **extra):
    return {"usulan": [str(i) for i in ids], "number": "188/Kep.12-Dinsos/2026", "document_date": TODAY, **extra}


def test_regency_head_approves_a_batch_through_the_page(client, personas):
    first, second = _musdes_approved(personas, "p1"), submitted_proposal("p2")
    held_musdes(personas.operator_a, [second])
    for p in (first, second):
        verified(personas.social_officer, p)
    other = queued(1, status=S.VERIFIED, entered_by=personas.operator_other_regency, village=OTHER_REGENCY_VILLAGE)
    client.force_login(personas.regency_head)
    html = _page(client, "approval-queue")
    assert _listed(html, [first, second, *other]) == _numbers([first, second])
    response = client.post(reverse("approval-queue"), _decree([first.pk, second.pk]))
    batch = Batch.objects.get(kind=BatchKind.REGENCY_DECREE)
    assert response.status_code == 302 and response["Location"] == reverse("batch-detail", args=[batch.pk])
    assert set(Proposal.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        S.REGENCY_APPROVED
    }
    assert batch.region_id == "32.04" and batch.proposals.count() == 2
    html = _page(client, "batch-detail", batch.pk)
    assert _listed(html, [first, second]) == _numbers([first, second]) and "188/Kep.12-Dinsos/2026" in html
    # the list of past decrees, with the count
    html = _page(client, "approval-queue")
    assert "188/Kep.12-Dinsos/2026" in html and "2 usulan" in html
    html = _page(client, "batch-list", jenis="sk_bupati")
    assert reverse("batch-detail", args=[batch.pk]) in html
    # another regency's head cannot open the decree
    sumedang_head = make_user("bupati_sumedang", "bupati", "32.11")
    client.force_login(sumedang_head)
    assert client.get(reverse("batch-detail", args=[batch.pk])).status_code == 404
    assert "188/Kep" not in _page(client, "batch-list", jenis="sk_bupati")


def test_regency_select_all_on_the_page(client, personas):
    rows = queued(3, status=S.VERIFIED, entered_by=personas.operator_a)
    client.force_login(personas.regency_head)
    html = _page(client, "approval-queue")
    assert "data-select-all" in html and 'name="halaman_ids"' in html
    ids = ",".join(str(p.pk) for p in rows)
    client.post(reverse("approval-queue"), _decree([], semua_halaman="on", halaman_ids=ids))
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in rows]).values_list("status", flat=True)) == {
        S.REGENCY_APPROVED
    }


def test_regency_batch_refusals_are_shown_and_change_nothing(client, personas):
    ok = queued(2, status=S.VERIFIED, entered_by=personas.operator_a)
    not_yet = queued(1, status=S.MUSDES_APPROVED, entered_by=personas.operator_a)
    sumedang = queued(1, status=S.VERIFIED, entered_by=personas.operator_other_regency, village=OTHER_REGENCY_VILLAGE)
    url = reverse("approval-queue")
    client.force_login(personas.regency_head)
    # a proposal not (yet) verified: the service refuses the whole batch and names it
    html = client.post(url, _decree([p.pk for p in ok + not_yet])).content.decode()
    assert "data-refusal" in html and not_yet[0].tracking_number in html
    # another regency's proposal: refused without naming it
    html = client.post(url, _decree([ok[0].pk, sumedang[0].pk])).content.decode()
    assert "di wilayah Anda" in html and sumedang[0].tracking_number not in html
    # nothing selected; a missing number; a future date
    assert "Pilih minimal satu usulan" in client.post(url, _decree([])).content.decode()
    assert "Nomor SK bupati/wali kota: " in client.post(url, _decree([ok[0].pk], number="")).content.decode()
    future = timezone.localdate() + datetime.timedelta(days=1)
    assert "masa depan" in client.post(url, _decree([ok[0].pk], document_date=future)).content.decode()
    assert not Batch.objects.exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == {S.VERIFIED, S.MUSDES_APPROVED}
    # a decree number used twice
    client.post(url, _decree([ok[0].pk]))
    html = client.post(url, _decree([ok[1].pk])).content.decode()
    assert "sudah dipakai" in html
    assert Proposal.objects.get(pk=ok[1].pk).status == S.VERIFIED
    # the ticked boxes survive the refusal
    assert f'value="{ok[1].pk}" id="pilih-{ok[1].pk}" checked' in html


# --- province ----------------------------------------------------------------------------------------


def test_province_forwards_its_regencies_proposals(client, personas):
    bandung = _musdes_approved(personas)
    verified(personas.social_officer, bandung)
    through_regency(personas.regency_head, [bandung.pk])
    sumedang = queued(
        2, status=S.REGENCY_APPROVED, entered_by=personas.operator_other_regency, village=OTHER_REGENCY_VILLAGE
    )
    sleman = queued(1, status=S.REGENCY_APPROVED, entered_by=personas.operator_a, village=OTHER_PROVINCE_VILLAGE)
    everything = [bandung, *sumedang, *sleman]
    client.force_login(personas.provincial)
    html = _page(client, "forwarding-queue")
    assert _listed(html, everything) == _numbers([bandung, *sumedang])
    assert "data-summary" in html and "Kabupaten Sumedang" in html
    assert _listed(_page(client, "forwarding-queue", wilayah="32.11"), everything) == _numbers(sumedang)
    assert _listed(_page(client, "forwarding-queue", wilayah="32.04"), everything) == _numbers([bandung])
    # another province's staff posting Jawa Barat's ids: refused, nothing changes
    client.force_login(personas.provincial_other)
    assert _listed(_page(client, "forwarding-queue"), everything) == _numbers(sleman)
    html = client.post(reverse("forwarding-queue"), _decree([bandung.pk], number="PROV-9")).content.decode()
    assert "data-refusal" in html and bandung.tracking_number not in html
    assert Proposal.objects.get(pk=bandung.pk).status == S.REGENCY_APPROVED
    client.force_login(personas.provincial)
    response = client.post(
        reverse("forwarding-queue"), _decree([bandung.pk, *(p.pk for p in sumedang)], number="PROV-1")
    )
    batch = Batch.objects.get(kind=BatchKind.PROVINCE_FORWARD)
    assert response["Location"] == reverse("batch-detail", args=[batch.pk])
    assert Proposal.objects.filter(status=S.FORWARDED).count() == 3 and batch.region_id == "32"
    assert "PROV-1" in _page(client, "forwarding-queue")


# --- ministry -------------------------------------------------------------------------------------------


def test_ministry_determines_and_rejects_through_the_page(client, personas):
    real = _musdes_approved(personas)
    verified(personas.social_officer, real)
    through_regency(personas.regency_head, [real.pk])
    through_province(personas.provincial, [real.pk])
    jabar = queued(2, status=S.FORWARDED, entered_by=personas.operator_a)
    diy = queued(1, status=S.FORWARDED, entered_by=personas.operator_a, village=OTHER_PROVINCE_VILLAGE)
    everything = [real, *jabar, *diy]
    client.force_login(personas.ministry)
    html = _page(client, "determination-queue")
    assert _listed(html, everything) == _numbers(everything)
    assert _listed(_page(client, "determination-queue", provinsi="34"), everything) == _numbers(diy)
    html = _page(client, "determination-queue", provinsi="32", wilayah="32.04")
    assert _listed(html, everything) == _numbers([real, *jabar])
    url = reverse("determination-queue")
    round_ = {"period": "2026-Q4", "document_date": TODAY}
    # "not determined" needs a reason; nothing changes without one
    html = client.post(url, {**round_, "usulan": [diy[0].pk], "number": "PEN-2", "action": "tolak"}).content.decode()
    assert "Tuliskan alasan" in html and Proposal.objects.get(pk=diy[0].pk).status == S.FORWARDED
    html = client.post(url, {**round_, "usulan": [diy[0].pk], "number": "PEN-2", "action": "tetapkan", "period": "Q4"})
    assert "Tulis periode seperti" in html.content.decode()
    response = client.post(url, {**round_, "usulan": [real.pk, jabar[0].pk], "number": "PEN-1", "action": "tetapkan"})
    determined = Batch.objects.get(number="PEN-1")
    assert response["Location"] == reverse("batch-detail", args=[determined.pk]) and determined.period == "2026-Q4"
    assert Proposal.objects.get(pk=real.pk).status == S.DETERMINED
    assert Household.objects.filter(kk_number=real.kk_number, registered_at__isnull=False).exists()
    client.post(
        url, {**round_, "usulan": [diy[0].pk], "number": "PEN-2", "action": "tolak", "reason": "Data tidak valid."}
    )
    rejected = Proposal.objects.get(pk=diy[0].pk)
    assert rejected.status == S.NOT_DETERMINED and rejected.events.last().reason == "Data tidak valid."
    assert Proposal.objects.get(pk=jabar[1].pk).status == S.FORWARDED
    html = _page(client, "determination-queue")
    assert "PEN-1" in html and "PEN-2" in html and "2026-Q4" in html
    # the ministry cannot determine a proposal that is not forwarded: named, nothing changes
    waiting = queued(1, status=S.REGENCY_APPROVED, entered_by=personas.operator_a)
    html = client.post(url, {**round_, "usulan": [jabar[1].pk, waiting[0].pk], "number": "PEN-3", "action": "tetapkan"})
    assert waiting[0].tracking_number in html.content.decode()
    assert Proposal.objects.get(pk=jabar[1].pk).status == S.FORWARDED


# --- query counts ------------------------------------------------------------------------------------------


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "status", "persona", "village"),
    [
        ("verification-queue", S.MUSDES_APPROVED, "social_officer", "32.04.12.2002"),
        ("approval-queue", S.VERIFIED, "regency_head", "32.04.12.2002"),
        ("forwarding-queue", S.REGENCY_APPROVED, "provincial", "32.11.01.2001"),
        ("determination-queue", S.FORWARDED, "ministry", "34.04.01.2001"),
    ],
)
def test_big_lists_do_not_grow_queries_with_rows(
    client, personas, django_assert_max_num_queries, name, status, persona, village
):
    user = getattr(personas, persona)
    client.force_login(user)
    url = reverse(name)
    few = queued(3, status=status, entered_by=personas.operator_a, village=village)
    Assignment.objects.create(proposal=few[0], verifier=personas.social_officer, assigned_by=personas.social_officer)
    small = _count_queries(client, url)
    many = queued(34, status=status, entered_by=personas.operator_a, village=village)
    for p in many[:10]:
        Assignment.objects.create(proposal=p, verifier=personas.social_officer, assigned_by=personas.social_officer)
    with django_assert_max_num_queries(small):
        html = client.get(url).content.decode()
    assert html.count("data-proposal=") == 37
    print(f"{name}: {small} queries for 3 rows and for 37 rows")


def test_batch_detail_queries_do_not_grow(client, personas, django_assert_max_num_queries):
    client.force_login(personas.regency_head)
    few = queued(3, status=S.VERIFIED, entered_by=personas.operator_a)
    small_batch = through_regency(personas.regency_head, [p.pk for p in few], number="SK-A")
    small = _count_queries(client, reverse("batch-detail", args=[small_batch.pk]))
    many = queued(40, status=S.VERIFIED, entered_by=personas.operator_a)
    big_batch = through_regency(personas.regency_head, [p.pk for p in many], number="SK-B")
    with django_assert_max_num_queries(small):
        html = client.get(reverse("batch-detail", args=[big_batch.pk])).content.decode()
    assert html.count("data-proposal=") == 40
    print(f"batch-detail: {small} queries for 3 rows and for 40 rows")
