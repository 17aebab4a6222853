"""The official region hierarchy (Kemendagri codes), loaded by ``load_regions``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.scoping import code_within, q_within


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Provinsi")
    REGENCY = 2, _("Kabupaten/Kota")
    DISTRICT = 3, _("Kecamatan")
    VILLAGE = 4, _("Desa/Kelurahan")


class RegionKind(models.TextChoices):
    PROVINSI = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> "RegionQuerySet":
        """The region ``code`` and everything below it (codes are dotted prefixes)."""
        return self.filter(q_within("code", code))

    def villages(self) -> "RegionQuerySet":
        return self.filter(level=RegionLevel.VILLAGE)


class Region(models.Model):
    """A province, regency/city, district or village.

    The dotted Kemendagri code is the primary key, so every foreign key to a region
    stores the code itself, and "within my region" is a prefix test on that column
    without a join (see ``registrations.scoping``).
    """

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=RegionLevel.choices, db_index=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name as people say it: "Kabupaten Bandung", "Desa Dayeuhkolot"."""
        prefix = {
            RegionKind.KABUPATEN: "Kabupaten",
            RegionKind.KOTA: "Kota",
            RegionKind.KECAMATAN: "Kecamatan",
            RegionKind.DESA: "Desa",
            RegionKind.KELURAHAN: "Kelurahan",
        }.get(self.kind)
        if prefix and not self.name.lower().startswith(prefix.lower()):
            return f"{prefix} {self.name}"
        return self.name

    def contains(self, code: str) -> bool:
        return code_within(code, self.code)

    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to this region, derived from the code itself."""
        parts = self.code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]
