"""Pages: who may see and do what (role and region), the model/scoring/determination
flow with its progress bar, quotas, distribution charts and exports, explanations."""

import io

import pytest
from django.urls import reverse

from eligibility import runs, scoring
from eligibility.models import DeterminationRun, ModelStatus, Programme, Quota, ScoreModel, ScoringRun
from registrations.models import ResidentProfile
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.scoring import AS_OF, PERIOD, household, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(regions, v1, programmes):
    """Households in Bandung (2), Sumedang (1) and Sleman (1), scored by v1, with
    2026-Q4 results for BPNT; Bandung and Sumedang have quotas."""
    poorest = {"no_fixed_income": True, "poor_walls": True, "poor_floor": True, "unprotected_water_source": True}
    homes = {
        "bandung": household(VILLAGE_A, **poorest, members=[member("kepala", 40), member("anak", 3)]),
        "bandung_rich": household(VILLAGE_B, owns_car=True, monthly_income=30_000_000),
        "sumedang": household(OTHER_REGENCY_VILLAGE, **poorest),
        "sleman": household(OTHER_PROVINCE_VILLAGE, monthly_income=2_000_000),
    }
    scoring.score_all(v1, AS_OF)
    bpnt = programmes["BPNT"]
    Quota.objects.create(programme=bpnt, regency_id="32.04", period=PERIOD, size=7)
    Quota.objects.create(programme=bpnt, regency_id="32.11", period=PERIOD, size=3)
    runs.determination_run_now(programme=bpnt, period=PERIOD)
    return homes


def html(response) -> str:
    return response.content.decode()


# --- access ----------------------------------------------------------------------------------------

MINISTRY_PAGES = [
    ("eligibility-model-list", []),
    ("eligibility-model-detail", [1]),
    ("eligibility-model-weights", [1]),
    ("eligibility-scoring", []),
    ("eligibility-official-import", []),
    ("eligibility-determination", []),
    ("eligibility-programme-edit", ["BPNT"]),
    ("eligibility-quota-edit", ["BPNT"]),
]


@pytest.mark.parametrize(("name", "args"), MINISTRY_PAGES)
def test_ministry_pages_refuse_regional_staff_and_residents(client, personas, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302  # anonymous → login
    for persona in (personas.regency_head, personas.social_officer, personas.provincial, personas.resident):
        client.force_login(persona)
        assert client.get(url).status_code == 403, persona.username
    client.force_login(personas.ministry)
    assert client.get(url).status_code in (200, 302)


def test_readers_see_programmes_and_distribution_but_village_operators_do_not(client, personas, scored):
    for persona in (personas.ministry, personas.provincial, personas.social_officer, personas.regency_head):
        client.force_login(persona)
        for name in ("eligibility-home", "eligibility-programme-list", "eligibility-distribution"):
            assert client.get(reverse(name)).status_code == 200, (persona.username, name)
    client.force_login(personas.operator_a)
    assert client.get(reverse("eligibility-distribution")).status_code == 403


def test_pages_with_personal_data_are_not_cached(client, personas, scored):
    client.force_login(personas.regency_head)
    for url in (
        reverse("eligibility-distribution"),
        reverse("eligibility-explanation", args=[scored["bandung"].pk]),
    ):
        assert "no-cache" in client.get(url)["Cache-Control"]


# --- distribution ---------------------------------------------------------------------------------


def test_regency_head_sees_only_bandung_in_the_distribution(client, personas, scored):
    client.force_login(personas.regency_head)
    page = html(client.get(reverse("eligibility-distribution"), {"periode": PERIOD}))
    assert "Kabupaten Bandung" in page and "Sumedang" not in page and "Sleman" not in page
    assert "2 rumah tangga terdaftar" in page
    assert client.get(reverse("eligibility-distribution"), {"wilayah": "32.11"}).status_code == 404
    assert client.get(reverse("eligibility-distribution"), {"wilayah": "32.04"}).status_code == 200
    assert client.get(reverse("eligibility-distribution"), {"wilayah": "x' OR 1=1"}).status_code == 404
    csv_text = client.get(reverse("eligibility-distribution"), {"format": "csv", "periode": PERIOD}).content.decode()
    assert "32.04" in csv_text and "32.11" not in csv_text and "Sumedang" not in csv_text


def test_ministry_distribution_charts_numbers_and_exports(client, personas, scored):
    client.force_login(personas.ministry)
    response = client.get(reverse("eligibility-distribution"), {"periode": PERIOD})
    page = html(response)
    assert "4 rumah tangga terdaftar" in page
    assert "Kabupaten Bandung" in page and "Kabupaten Sumedang" in page and "Kabupaten Sleman" in page
    assert "<svg" in page and "<rect" in page and "style=" not in page.split('id="isi"')[1]
    csv_response = client.get(reverse("eligibility-distribution"), {"format": "csv", "periode": PERIOD})
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode("utf-8-sig")
    assert body.startswith("bagian,kode_wilayah,wilayah,kategori,jumlah")
    assert "Desil 1" in body and "BPNT penerima" in body

    from openpyxl import load_workbook

    xlsx = client.get(reverse("eligibility-distribution"), {"format": "xlsx", "periode": PERIOD})
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.sheetnames == ["Desil", "Program", "Kabupaten-Kota"]
    desil_rows = list(workbook["Desil"].iter_rows(min_row=2, values_only=True))
    assert sum(r[1] for r in desil_rows) == 4
    regencies = {r[0]: r for r in workbook["Kabupaten-Kota"].iter_rows(min_row=2, values_only=True)}
    assert set(regencies) == {"32.04", "32.11", "34.04"} and regencies["32.04"][2] == 2


# --- explanations ---------------------------------------------------------------------------------


def test_staff_explanation_within_scope_only(client, personas, scored):
    client.force_login(personas.regency_head)
    page = html(client.get(reverse("eligibility-explanation", args=[scored["bandung"].pk])))
    assert "Dari mana skor ini berasal" in page and "Tidak punya penghasilan tetap" in page
    assert "BPNT / Kartu Sembako" in page and "Hasil penetapan periode 2026-Q4" in page
    assert client.get(reverse("eligibility-explanation", args=[scored["sumedang"].pk])).status_code == 404
    client.force_login(personas.operator_other_regency)
    assert client.get(reverse("eligibility-explanation", args=[scored["sumedang"].pk])).status_code == 200
    assert client.get(reverse("eligibility-explanation", args=[scored["bandung"].pk])).status_code == 404


def test_explanation_without_determination_evaluates_the_rules_now(client, personas, scored):
    client.force_login(personas.ministry)
    page = html(client.get(reverse("eligibility-explanation", args=[scored["bandung"].pk])))
    assert "Belum ada penetapan; ini penilaian menurut aturan program" in page  # PKH, PBI-JK, ... not run yet
    assert "Ada anggota keluarga yang memenuhi syarat: anak balita." in page


def test_resident_sees_only_their_own_household(client, personas, scored):
    resident = confirmed_resident("ani", VILLAGE_A)
    profile = ResidentProfile.objects.get(user=resident)
    profile.kk_number = scored["bandung"].kk_number
    profile.save()
    client.force_login(resident)
    page = html(client.get(reverse("eligibility-my-household")))
    assert scored["bandung"].masked_kk_number in page and "Skor dan desil" in page
    # The staff page is not for residents, for their own household neither
    assert client.get(reverse("eligibility-explanation", args=[scored["bandung"].pk])).status_code == 403
    assert client.get(reverse("eligibility-explanation", args=[scored["sumedang"].pk])).status_code == 403
    # Unconfirmed identity: nothing shown
    profile.identity_status = "menunggu"
    profile.save()
    page = html(client.get(reverse("eligibility-my-household")))
    assert "Kami belum menemukan rumah tangga" in page and scored["bandung"].masked_kk_number not in page


def test_resident_whose_kk_is_not_registered(client, personas, scored):
    client.force_login(confirmed_resident("budi", VILLAGE_A))
    assert "Kami belum menemukan rumah tangga" in html(client.get(reverse("eligibility-my-household")))
    client.logout()
    assert client.get(reverse("eligibility-my-household")).status_code == 302


# --- ministry flow: copy, edit, activate with progress --------------------------------------------


def test_copy_edit_activate_rescore_and_see_desil_move(client, personas, scored, django_capture_on_commit_callbacks):
    client.force_login(personas.ministry)
    response = client.post(reverse("eligibility-model-copy", args=[1]))
    v2 = ScoreModel.objects.get(version=2)
    assert response.url == reverse("eligibility-model-weights", args=[2]) and v2.is_draft
    form = client.get(response.url).context["form"]
    data = {"aksi": "simpan", "name": "v2 uji", "notes": "aset lebih berat"}
    data.update({name: field.initial for name, field in form.fields.items() if name.startswith("w_")})
    data["w_owns_car"] = "-80"  # a car now makes a household poorer: the rich one drops
    assert client.post(reverse("eligibility-model-weights", args=[2]), data).status_code == 302
    response = client.post(
        reverse("eligibility-model-weights", args=[2]),
        {"aksi": "tambah-override", "variable": "constant", "province": "34", "weight": "10"},
    )
    assert response.status_code == 302
    assert v2.weights.get(variable="constant", province_code="34").weight == 10
    assert v2.weights.get(variable="owns_car", province_code="").weight == -80

    before = scored["bandung_rich"].scores.get(model__version=1).desil_national
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eligibility-model-activate", args=[2]))
    run = ScoringRun.objects.get(model=v2)
    assert response.url == reverse("eligibility-scoring-run", args=[run.pk])
    v2.refresh_from_db()
    assert v2.status == ModelStatus.ACTIVE and run.status == "finished"
    after = scored["bandung_rich"].scores.get(model=v2).desil_national
    assert after < before

    page = html(client.get(reverse("eligibility-scoring-run", args=[run.pk])))
    assert 'value="100"' in page and "sekarang aktif" in page and "hx-trigger" not in page
    # Edits to a model that is no longer a draft are refused
    response = client.post(reverse("eligibility-model-weights", args=[2]), data)
    assert response.status_code == 302 and response.url == reverse("eligibility-model-detail", args=[2])


def test_running_progress_fragment_polls_until_done(client, personas, scored):
    client.force_login(personas.ministry)
    model = ScoreModel.objects.get(version=1)
    run = ScoringRun.objects.create(
        model=model, as_of=AS_OF, total=200, processed=50, chunks_total=4, chunks_done=[0], phase="stage"
    )
    fragment = html(client.get(reverse("eligibility-scoring-progress", args=[run.pk])))
    assert 'hx-trigger="every 1s"' in fragment and 'value="25"' in fragment and "1 dari 4 bagian" in fragment
    # Pressing "hitung ulang" while it runs does not start another run
    response = client.post(reverse("eligibility-scoring"))
    assert response.url == reverse("eligibility-scoring-run", args=[run.pk])
    assert ScoringRun.objects.count() == 1
    run.status = "finished"
    run.save()
    assert "hx-trigger" not in html(client.get(reverse("eligibility-scoring-progress", args=[run.pk])))


def test_rescoring_and_determination_pages(client, personas, scored, django_capture_on_commit_callbacks):
    client.force_login(personas.ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eligibility-scoring"))
    run = ScoringRun.objects.latest("id")
    assert response.url == reverse("eligibility-scoring-run", args=[run.pk]) and run.status == "finished"
    pbi = Programme.objects.get(code="PBI_JK")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eligibility-determination"), {"programme": pbi.pk, "period": PERIOD})
    determination = DeterminationRun.objects.get(programme=pbi)
    assert response.url == reverse("eligibility-determination-run", args=[determination.pk])
    page = html(client.get(response.url))
    assert "Ditetapkan penerima" in page and "Kabupaten Bandung" in page
    fragment = html(client.get(reverse("eligibility-determination-progress", args=[determination.pk])))
    assert "hx-trigger" not in fragment and "Memenuhi syarat" in fragment
    assert "PBI_JK" in html(client.get(reverse("eligibility-determination")))


# --- programmes and quotas -------------------------------------------------------------------------


def test_quotas_ministry_edits_regency_staff_read_their_own(client, personas, scored):
    client.force_login(personas.ministry)
    url = reverse("eligibility-quota-edit", args=["PKH"])
    page = html(client.get(url, {"periode": PERIOD, "provinsi": "32"}))
    assert "Kabupaten Bandung" in page and "Kabupaten Sumedang" in page
    response = client.post(
        f"{url}?periode={PERIOD}&provinsi=32", {"kuota-32.04": "120", "kuota-32.11": "45", "kuota-32.01": ""}
    )
    assert response.status_code == 302
    assert dict(Quota.objects.filter(programme__code="PKH").values_list("regency_id", "size")) == {
        "32.04": 120,
        "32.11": 45,
    }
    response = client.post(f"{url}?periode={PERIOD}&provinsi=32", {"kuota-32.04": "-3"})
    assert Quota.objects.get(programme__code="PKH", regency_id="32.04").size == 120
    response = client.post(f"{url}?periode={PERIOD}&provinsi=32", {"kuota-32.11": ""})
    assert not Quota.objects.filter(programme__code="PKH", regency_id="32.11").exists()

    client.force_login(personas.regency_head)
    page = html(client.get(reverse("eligibility-programme-list"), {"periode": PERIOD}))
    assert "Kuota wilayah Anda" in page and "Kabupaten Bandung" in page and "Sumedang" not in page
    assert ">120<" in page and ">7<" in page
    assert client.post(url, {"kuota-32.04": "1"}).status_code == 403


def test_programme_criteria_edit(client, personas, programmes):
    client.force_login(personas.ministry)
    url = reverse("eligibility-programme-edit", args=["BLT"])
    response = client.post(
        url,
        {
            "name": "BLT Dana Desa",
            "description": "",
            "desil_ceiling": "6",
            "requires_any": ["elderly"],
            "exclusions": ["not_registered", "excluded_occupation", "deceased"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    blt = Programme.objects.get(code="BLT")
    assert (blt.desil_ceiling, blt.requires_any, blt.updated_by) == (6, ["elderly"], personas.ministry)
    assert client.post(url, {"name": "x", "desil_ceiling": "11"}).status_code == 200
    assert Programme.objects.get(code="BLT").desil_ceiling == 6


def test_official_import_page(client, personas, scored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.ministry)
    kk = scored["bandung_rich"].kk_number
    upload = SimpleUploadedFile("desil.csv", f"no_kk;desil\n{kk};1\n".encode(), content_type="text/csv")
    response = client.post(reverse("eligibility-official-import"), {"period": PERIOD, "file": upload}, follow=True)
    assert "1 desil resmi disimpan (1 cocok dengan KK terdaftar, 0 baris ditolak)" in html(response)
    score = scored["bandung_rich"].scores.get(model__version=1)
    assert (score.desil_national, score.source) == (1, "official")
    page = html(client.get(reverse("eligibility-explanation", args=[scored["bandung_rich"].pk])))
    assert "diambil dari file desil resmi periode 2026-Q4" in page
