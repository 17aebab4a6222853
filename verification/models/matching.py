"""Each proposed member checked against the population records (Dukcapil copy)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchOutcome(models.TextChoices):
    MATCHED = "cocok", _("Cocok dengan data kependudukan")
    MISMATCH = "beda", _("NIK ditemukan, ada data yang berbeda")
    NOT_FOUND = "tidak_ada", _("NIK tidak ditemukan")
    CANDIDATES = "kandidat", _("NIK tidak ditemukan; ada kandidat yang mirip")
    DECEASED = "meninggal", _("Tercatat meninggal")
    MOVED = "pindah", _("Tercatat pindah ke wilayah lain")
    INVALID = "nik_salah", _("Format NIK tidak sah")


class MemberMatch(models.Model):
    member = models.OneToOneField("registrations.ProposalMember", on_delete=models.CASCADE, related_name="match")
    outcome = models.CharField(_("hasil"), max_length=10, choices=MatchOutcome.choices)
    record = models.ForeignKey(
        "verification.PopulationRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    differences = models.JSONField(_("data yang berbeda"), default=list, blank=True)
    candidates = models.JSONField(_("kandidat"), default=list, blank=True)
    duplicates = models.JSONField(_("duplikat"), default=list, blank=True)
    #: The register audit's flags for this member (``verification/audit``): ``[{"flag", "detail"}]``.
    audit_flags = models.JSONField(_("tanda audit"), default=list, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hasil pencocokan anggota")
        verbose_name_plural = _("hasil pencocokan anggota")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.outcome}"

    @property
    def audit_flag_items(self) -> list[dict]:
        """The audit flags with their labels, for the templates."""
        from verification.audit.flags import LABELS

        return [{**item, "label": LABELS.get(item["flag"], item["flag"])} for item in self.audit_flags]

    @property
    def needs_attention(self) -> bool:
        return self.outcome != MatchOutcome.MATCHED or bool(self.duplicates)
