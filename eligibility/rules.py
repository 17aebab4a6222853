"""Programme rules: from a household's facts to "eligible or not, and why".

One function, ``evaluate``, decides for the batch determination and for the
explanation page alike, so what a resident reads is exactly what the run applied.
Every reason is ``{"code", "ok", "message"}`` with a plain-Indonesian message.

Member conditions count living members only (a member whose NIK the population
records hold as deceased does not count), with ages on the first day of the period:

* ``pregnant``: ``Member.pregnant``;
* ``child_under_5``: younger than 5;
* ``school_age``: 6 to 18 years old (SD to SMA);
* ``elderly``: 60 or older;
* ``severe_disability``: ``Member.disability == "berat"``;
* ``student``: occupation "pelajar/mahasiswa" and 18 to 24 years old (KIP-Kuliah).

Exclusions: ``not_registered`` (``registered_at`` empty); ``excluded_occupation`` (any
member ASN, TNI or Polri); ``deceased`` (the head is deceased in the population
records, or no member is alive).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import DesilSource, Exclusion, MemberCondition

CONDITION_PHRASES = {
    MemberCondition.PREGNANT: "ibu hamil",
    MemberCondition.CHILD_UNDER_5: "anak balita",
    MemberCondition.SCHOOL_AGE: "anak usia sekolah (6-18 tahun)",
    MemberCondition.ELDERLY: "lansia (60 tahun ke atas)",
    MemberCondition.SEVERE_DISABILITY: "penyandang disabilitas berat",
    MemberCondition.STUDENT: "pelajar/mahasiswa usia 18-24 tahun",
}


@dataclass(slots=True)
class Facts:
    """What the rules look at, for one household (see ``determination.load_facts``)."""

    household_id: int
    village_code: str
    registered_at: datetime.datetime | None = None
    score: float | None = None
    desil: int | None = None
    desil_source: str = DesilSource.MODEL
    members: int = 0
    living: int = 0
    head_deceased: int = 0
    excluded_occupation: int = 0
    pregnant: int = 0
    child_under_5: int = 0
    school_age: int = 0
    elderly: int = 0
    severe_disability: int = 0
    student: int = 0

    @property
    def regency_code(self) -> str:
        return self.village_code[:5]

    @property
    def registered(self) -> bool:
        return self.registered_at is not None

    def has(self, condition: str) -> bool:
        return bool(getattr(self, condition, 0))

    def rule_key(self, rules: ProgrammeRules) -> tuple:
        """Everything ``evaluate`` reads: households with the same key get the same reasons."""
        return (
            self.registered_at is not None,
            self.excluded_occupation > 0,
            self.head_deceased > 0,
            self.living == 0,
            self.desil,
            self.desil_source,
            tuple(self.has(c) for c in rules.requires_any),
        )


@dataclass(frozen=True)
class ProgrammeRules:
    """The parts of a ``Programme`` the rules read (plain values: cheap in the batch)."""

    code: str
    name: str
    desil_ceiling: int
    requires_any: tuple[str, ...]
    exclusions: tuple[str, ...]

    @classmethod
    def of(cls, programme) -> ProgrammeRules:
        return cls(
            code=programme.code,
            name=programme.name,
            desil_ceiling=programme.desil_ceiling,
            requires_any=tuple(c for c in programme.requires_any if c in MemberCondition.values),
            exclusions=tuple(e for e in programme.exclusions if e in Exclusion.values),
        )


def reason(code: str, ok: bool, message: str) -> dict:
    return {"code": code, "ok": ok, "message": message}


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " atau " + words[-1]


def evaluate(rules: ProgrammeRules, facts: Facts) -> tuple[bool, list[dict]]:
    """``(eligible, reasons)``: every failed rule is listed, not only the first."""
    reasons: list[dict] = []
    exclusions = set(rules.exclusions)

    if Exclusion.NOT_REGISTERED in exclusions and not facts.registered:
        reasons.append(reason("not_registered", False, "Rumah tangga ini tidak (lagi) terdaftar di DTSEN."))
    if Exclusion.EXCLUDED_OCCUPATION in exclusions and facts.excluded_occupation:
        reasons.append(
            reason(
                "excluded_occupation",
                False,
                "Ada anggota keluarga yang bekerja sebagai ASN, TNI, atau Polri; "
                "rumah tangganya tidak dapat menerima bantuan sosial.",
            )
        )
    if Exclusion.DECEASED in exclusions:
        if facts.head_deceased:
            reasons.append(
                reason("deceased", False, "Kepala keluarga tercatat meninggal dunia di data kependudukan (Dukcapil).")
            )
        elif facts.living == 0:
            reasons.append(
                reason("deceased", False, "Tidak ada anggota keluarga yang tercatat masih hidup di data kependudukan.")
            )

    if facts.desil is None:
        reasons.append(reason("no_score", False, "Belum ada skor kesejahteraan (desil) untuk rumah tangga ini."))
    else:
        source = " (dari file desil resmi)" if facts.desil_source == DesilSource.OFFICIAL else ""
        if facts.desil <= rules.desil_ceiling:
            reasons.append(
                reason(
                    "desil",
                    True,
                    f"Desil {facts.desil}{source}, masuk batas desil 1-{rules.desil_ceiling} program ini.",
                )
            )
        else:
            reasons.append(
                reason(
                    "desil",
                    False,
                    f"Desil {facts.desil}{source}, di atas batas desil 1-{rules.desil_ceiling} program ini.",
                )
            )

    if rules.requires_any:
        met = [CONDITION_PHRASES[c] for c in rules.requires_any if facts.has(c)]
        if met:
            reasons.append(reason("members", True, f"Ada anggota keluarga yang memenuhi syarat: {', '.join(met)}."))
        else:
            wanted = _join([CONDITION_PHRASES[c] for c in rules.requires_any])
            reasons.append(
                reason("members", False, f"Tidak ada anggota keluarga yang memenuhi syarat program ini: {wanted}.")
            )

    eligible = all(r["ok"] for r in reasons)
    return eligible, reasons


# --- quota -------------------------------------------------------------------------------------


def quota_reason(*, included: bool, rank: int, quota: int | None, regency_name: str, period: str, tied: bool) -> dict:
    if quota is None:
        return reason(
            "no_quota",
            False,
            f"Memenuhi syarat, tetapi belum ada kuota {regency_name} untuk periode {period}.",
        )
    if included:
        return reason("quota", True, f"Masuk kuota {regency_name}: peringkat {rank} dari kuota {quota} rumah tangga.")
    message = f"Memenuhi syarat, tetapi kuota {regency_name} sudah habis: peringkat {rank}, kuota {quota} rumah tangga."
    if tied:
        message += " Skornya sama dengan penerima terakhir; yang lebih dulu terdaftar di DTSEN didahulukan."
    return reason("quota_full", False, message)


def review_reason(previous_period: str) -> dict:
    return reason(
        "review",
        False,
        f"Menerima bantuan ini pada periode {previous_period}, tetapi sekarang tidak lagi memenuhi syarat: "
        "perlu ditinjau petugas.",
    )
