"""Eligibility: welfare score (proxy-means test), desil, programmes, quotas, determination.

Data flows registrations → verification → eligibility: these models point at the
register (``Household``), never the other way round. See ``docs/eligibility.md``.

* ``ScoreModel`` / ``ScoreWeight``: versioned weights (data, not code); one model is
  active at a time. A higher score means better off; desil 1 = poorest 10 %.
* ``HouseholdScore``: one row per household and model version (history is kept per
  version); the household's *current* score is its row of the active model.
* ``OfficialDesilImport`` / ``OfficialDesil``: desil files from the statistics office,
  which take precedence over the model's national desil (recorded as the source).
* ``Programme`` / ``Quota``: programme criteria as data, quotas per regency and period.
* ``ScoringRun`` / ``DeterminationRun``: batch runs with progress; at most one runs at a
  time (partial unique constraints), so a second trigger cannot start a second run.
* ``RecipientResult``: per household, programme and period, included or not and why.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.models import ProgrammeCode
from registrations.models.households import sixteen_digits
from registrations.scoping import RegionScopedQuerySet

from .periods import PERIOD_PATTERN, period_validator
from .variables import VARIABLE_CHOICES, VARIABLE_CODES

DESIL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(10)]


def _desil_check(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": 1, f"{field}__lte": 10})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def _period_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(period__regex=PERIOD_PATTERN), name=name)


class CodeScopedQuerySet(RegionScopedQuerySet):
    """Rows carrying a copy of their village code as text (``village_code``): scoped by
    ``registrations.scoping`` like every other region-owned row."""

    region_field = "village_code"
    region_field_is_text = True


# --- Score models -------------------------------------------------------------------------


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    ACTIVE = "active", _("Aktif")
    RETIRED = "retired", _("Tidak dipakai lagi")


class ScoreModelQuerySet(models.QuerySet):
    def active(self) -> ScoreModel | None:
        return self.filter(status=ModelStatus.ACTIVE).first()


class ScoreModel(models.Model):
    version = models.PositiveIntegerField(_("versi"), unique=True)
    name = models.CharField(_("nama"), max_length=120)
    notes = models.TextField(_("catatan"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", verbose_name=_("disalin dari"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(_("diaktifkan"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScoreModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("model skor")
        verbose_name_plural = _("model skor")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="one_active_score_model"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "active", "retired"]), name="score_model_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(activated_at__isnull=False),
                name="score_model_activated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    @property
    def is_draft(self) -> bool:
        return self.status == ModelStatus.DRAFT


class ScoreWeight(models.Model):
    """A variable's weight: national (``province_code=""``) or a province's override."""

    model = models.ForeignKey(ScoreModel, on_delete=models.CASCADE, related_name="weights")
    variable = models.CharField(_("variabel"), max_length=40, choices=VARIABLE_CHOICES)
    province_code = models.CharField(
        _("kode provinsi"), max_length=2, blank=True, default="", help_text=_("Kosong = bobot nasional.")
    )
    weight = models.DecimalField(_("bobot"), max_digits=9, decimal_places=4)

    class Meta:
        ordering = ["model", "province_code", "variable"]
        verbose_name = _("bobot")
        verbose_name_plural = _("bobot")
        constraints = [
            models.UniqueConstraint(fields=["model", "variable", "province_code"], name="one_weight_per_variable"),
            models.CheckConstraint(condition=models.Q(variable__in=VARIABLE_CODES), name="score_weight_variable_known"),
            models.CheckConstraint(
                condition=models.Q(province_code="") | models.Q(province_code__regex=r"^[0-9]{2}$"),
                name="score_weight_province_code_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variable}{f' [{self.province_code}]' if self.province_code else ''} = {self.weight}"


# --- Scores -------------------------------------------------------------------------------


class DesilSource(models.TextChoices):
    MODEL = "model", _("Model skor portal")
    OFFICIAL = "official", _("File desil resmi")


class HouseholdScoreQuerySet(CodeScopedQuerySet):
    def current(self):
        """Scores of the active model: one per registered household."""
        return self.filter(model__status=ModelStatus.ACTIVE)


class HouseholdScore(models.Model):
    """One household's score under one model version, with its desils.

    Written only in bulk by ``eligibility.scoring`` (one SQL statement per chunk);
    rerunning a model updates its rows in place, so there is never a duplicate.
    ``computed_at`` is when the row's values last changed.
    """

    # Indexes: the unique (model, household) index serves both "all scores of a model"
    # and "this household's score under a model"; single-column ones would only slow
    # the bulk writes.
    # No database-level foreign keys here, on purpose: PostgreSQL checks each inserted
    # row with a row lock on the referenced household and model, which tripled the cost
    # of writing a million scores (bench/scoring.py). The rows are derived data: only the
    # scoring SQL writes them, from household ids it has just read, every run deletes the
    # rows of households that left the register, and Django still applies PROTECT (model)
    # and CASCADE (household) on delete.
    model = models.ForeignKey(
        ScoreModel, on_delete=models.PROTECT, related_name="scores", db_index=False, db_constraint=False
    )
    household = models.ForeignKey(
        "registrations.Household",
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
        db_constraint=False,
    )
    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13)
    score = models.FloatField(_("skor"))
    model_desil = models.PositiveSmallIntegerField(_("desil nasional menurut model"), validators=DESIL_VALIDATORS)
    desil_national = models.PositiveSmallIntegerField(_("desil nasional"), validators=DESIL_VALIDATORS)
    desil_province = models.PositiveSmallIntegerField(_("desil provinsi"), validators=DESIL_VALIDATORS)
    source = models.CharField(_("sumber desil"), max_length=8, choices=DesilSource.choices)
    official_period = models.CharField(_("periode desil resmi"), max_length=7, blank=True)
    computed_at = models.DateTimeField(_("dihitung"))

    objects = HouseholdScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("skor rumah tangga")
        verbose_name_plural = _("skor rumah tangga")
        constraints = [
            models.UniqueConstraint(fields=["model", "household"], name="one_score_per_household_and_model"),
            _desil_check("model_desil", "household_score_model_desil_range"),
            _desil_check("desil_national", "household_score_desil_national_range"),
            _desil_check("desil_province", "household_score_desil_province_range"),
            models.CheckConstraint(
                condition=(models.Q(source="model") & models.Q(official_period=""))
                | (models.Q(source="official") & models.Q(official_period__regex=PERIOD_PATTERN)),
                name="household_score_source_matches_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} v{self.model_id}: {self.score} (desil {self.desil_national})"


class OfficialDesilImport(models.Model):
    """One uploaded desil file from the statistics office."""

    period = models.CharField(_("periode"), max_length=7, validators=[period_validator])
    file_name = models.CharField(_("nama file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    rows_matched = models.PositiveIntegerField(_("cocok dengan KK terdaftar"), default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("impor desil resmi")
        verbose_name_plural = _("impor desil resmi")
        constraints = [_period_check("official_import_period_format")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.period})"


class OfficialDesil(models.Model):
    """A household's official desil for a period; the latest period wins."""

    source = models.ForeignKey(OfficialDesilImport, on_delete=models.CASCADE, related_name="rows")
    kk_number = models.CharField(_("nomor KK"), max_length=16, validators=[sixteen_digits])
    period = models.CharField(_("periode"), max_length=7, validators=[period_validator])
    desil = models.PositiveSmallIntegerField(_("desil"), validators=DESIL_VALIDATORS)

    class Meta:
        verbose_name = _("desil resmi")
        verbose_name_plural = _("desil resmi")
        constraints = [
            models.UniqueConstraint(fields=["kk_number", "period"], name="one_official_desil_per_kk_and_period"),
            _desil_check("desil", "official_desil_range"),
            _period_check("official_desil_period_format"),
        ]

    def __str__(self) -> str:
        return f"{self.kk_number} {self.period}: {self.desil}"


# --- Programmes and quotas ------------------------------------------------------------------


class MemberCondition(models.TextChoices):
    """Who in the household makes it a target of a programme (any one suffices)."""

    PREGNANT = "pregnant", _("ibu hamil")
    CHILD_UNDER_5 = "child_under_5", _("anak balita (di bawah 5 tahun)")
    SCHOOL_AGE = "school_age", _("anak usia sekolah (6-18 tahun)")
    ELDERLY = "elderly", _("lansia (60 tahun ke atas)")
    SEVERE_DISABILITY = "severe_disability", _("penyandang disabilitas berat")
    STUDENT = "student", _("pelajar/mahasiswa usia 18-24 tahun")


class Exclusion(models.TextChoices):
    NOT_REGISTERED = "not_registered", _("tidak terdaftar di DTSEN")
    EXCLUDED_OCCUPATION = "excluded_occupation", _("ada anggota ASN, TNI, atau Polri")
    DECEASED = "deceased", _("kepala keluarga meninggal atau tidak ada anggota yang hidup")


class Programme(models.Model):
    code = models.CharField(_("kode"), max_length=12, choices=ProgrammeCode.choices, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    description = models.TextField(_("keterangan"), blank=True)
    desil_ceiling = models.PositiveSmallIntegerField(
        _("batas desil"), validators=DESIL_VALIDATORS, help_text=_("Rumah tangga desil 1 sampai batas ini.")
    )
    requires_any = models.JSONField(
        _("syarat anggota (salah satu)"), default=list, blank=True, help_text=_("Kosong = tanpa syarat anggota.")
    )
    exclusions = models.JSONField(_("pengecualian"), default=list, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("program bantuan")
        verbose_name_plural = _("program bantuan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__in=[c.value for c in ProgrammeCode]), name="programme_code_known"
            ),
            _desil_check("desil_ceiling", "programme_desil_ceiling_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def condition_labels(self) -> list[str]:
        return [str(MemberCondition(c).label) for c in self.requires_any if c in MemberCondition.values]

    def exclusion_labels(self) -> list[str]:
        return [str(Exclusion(c).label) for c in self.exclusions if c in Exclusion.values]


class QuotaQuerySet(RegionScopedQuerySet):
    region_field = "regency"


class Quota(models.Model):
    """How many households of a regency a programme may take in a period."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="quotas")
    regency = models.ForeignKey(
        "registrations.Region",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
    )
    period = models.CharField(_("periode"), max_length=7, validators=[period_validator])
    size = models.PositiveIntegerField(_("kuota (rumah tangga)"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "period", "regency"]
        verbose_name = _("kuota")
        verbose_name_plural = _("kuota")
        constraints = [
            models.UniqueConstraint(fields=["programme", "regency", "period"], name="one_quota_per_regency_and_period"),
            _period_check("quota_period_format"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.regency_id} {self.period}: {self.size}"


# --- Runs ---------------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Sedang berjalan")
    FINISHED = "finished", _("Selesai")
    FAILED = "failed", _("Gagal")


class BatchRun(models.Model):
    """A batch split into chunks; chunks report once each (``chunks_done``), the last one
    to report finishes the run. ``updated_at`` is the heartbeat used to expire dead runs."""

    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dijalankan oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Kosong = jadwal otomatis."),
    )
    started_at = models.DateTimeField(_("mulai"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    total = models.PositiveIntegerField(_("jumlah rumah tangga"), default=0)
    processed = models.PositiveIntegerField(_("sudah diproses"), default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING

    @property
    def percent(self) -> int:
        if self.status == RunStatus.FINISHED:
            return 100
        return min(99, int(100 * self.processed / self.total)) if self.total else 0

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class ScoringPhase(models.TextChoices):
    PREPARE = "prepare", _("Menyiapkan")
    STAGE = "stage", _("Menghitung skor")
    WRITE = "write", _("Menetapkan desil")
    DONE = "done", _("Selesai")


class ScoringRun(BatchRun):
    """Scoring in three steps: stage scores (chunks) → desil thresholds → write (chunks).

    ``ranges`` are the chunks' household-id ranges ``[lo, hi, count]``; stage chunk ``i``
    and write chunk ``len(ranges) + i`` cover range ``i``.
    """

    model = models.ForeignKey(ScoreModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="runs")
    activate = models.BooleanField(_("aktifkan model setelah selesai"), default=False)
    as_of = models.DateField(_("umur dihitung per tanggal"))
    phase = models.CharField(_("tahap"), max_length=8, choices=ScoringPhase.choices, default=ScoringPhase.PREPARE)
    ranges = models.JSONField(default=list, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("penghitungan skor")
        verbose_name_plural = _("penghitungan skor")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="one_running_scoring_run"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "finished", "failed"]), name="scoring_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"skor #{self.pk} v{self.model_id} {self.status}"


class DeterminationRun(BatchRun):
    programme = models.ForeignKey(Programme, verbose_name=_("program"), on_delete=models.PROTECT, related_name="runs")
    period = models.CharField(_("periode"), max_length=7, validators=[period_validator])
    score_model = models.ForeignKey(ScoreModel, on_delete=models.PROTECT, related_name="+")
    previous_period = models.CharField(_("periode sebelumnya"), max_length=7, blank=True)
    eligible_count = models.PositiveIntegerField(_("memenuhi syarat"), default=0)
    included_count = models.PositiveIntegerField(_("ditetapkan penerima"), default=0)
    flagged_count = models.PositiveIntegerField(_("perlu ditinjau"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("penetapan penerima")
        verbose_name_plural = _("penetapan penerima")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period"],
                condition=models.Q(status="running"),
                name="one_running_determination_per_programme_period",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "finished", "failed"]),
                name="determination_run_status_valid",
            ),
            _period_check("determination_run_period_format"),
        ]

    def __str__(self) -> str:
        return f"penetapan #{self.pk} {self.programme_id} {self.period} {self.status}"


class RecipientResultQuerySet(CodeScopedQuerySet):
    pass


class RecipientResult(models.Model):
    """The outcome of one programme for one household in one period, with its reasons.

    ``reasons`` is a list of ``{"code", "ok", "message"}``: every rule that decided,
    in plain Indonesian. ``rank`` is the place among the eligible households of the
    regency (poorest first); ``quota_size`` the regency's quota at the time.
    """

    run = models.ForeignKey(DeterminationRun, on_delete=models.CASCADE, related_name="results", db_index=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="results", db_index=False)
    period = models.CharField(_("periode"), max_length=7)
    # No database-level constraint on the household (as for HouseholdScore): checking it
    # locks every referenced household row, a million per run; only the determination
    # writes these rows, from household ids it has just read.
    household = models.ForeignKey(
        "registrations.Household",
        on_delete=models.CASCADE,
        related_name="programme_results",
        db_index=False,
        db_constraint=False,
    )
    village_code = models.CharField(_("kode desa/kelurahan"), max_length=13)
    eligible = models.BooleanField(_("memenuhi syarat"))
    included = models.BooleanField(_("penerima"))
    rank = models.PositiveIntegerField(_("peringkat di kabupaten/kota"), null=True, blank=True)
    quota_size = models.PositiveIntegerField(_("kuota"), null=True, blank=True)
    score = models.FloatField(_("skor"), null=True, blank=True)
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    reasons = models.JSONField(_("alasan"), default=list)
    flagged_for_review = models.BooleanField(_("perlu ditinjau"), default=False)
    decided_at = models.DateTimeField(_("ditetapkan"))

    objects = RecipientResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("hasil penetapan")
        verbose_name_plural = _("hasil penetapan")
        constraints = [
            # Leading household column: also the index of the public lookup by household.
            models.UniqueConstraint(
                fields=["household", "programme", "period"], name="one_result_per_programme_period"
            ),
            models.CheckConstraint(
                condition=models.Q(included=False) | models.Q(eligible=True), name="included_is_eligible"
            ),
            models.CheckConstraint(
                condition=models.Q(included=False) | models.Q(rank__lte=models.F("quota_size")),
                name="included_within_quota",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(eligible=True), name="only_eligible_are_ranked"
            ),
            _desil_check("desil", "recipient_result_desil_range", nullable=True),
            _period_check("recipient_result_period_format"),
        ]
        indexes = [models.Index(fields=["programme", "period", "village_code"], name="result_programme_period_code")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.period} {self.household_id}: {'ya' if self.included else 'tidak'}"
