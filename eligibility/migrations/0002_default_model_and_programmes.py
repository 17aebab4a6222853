"""Score model v1 (active) and the five programmes, as data.

The weights are a plausible, documented starting point (docs/eligibility.md), not an
official formula: ministry staff copy v1 into v2, adjust, and activate. A higher score
means better off; desil 1 = the poorest 10 %.

Frozen here on purpose: later code changes must not change what this migration wrote.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

V1_WEIGHTS = {
    "constant": "50",
    # The 11 indicators of Permensos 3/2021: each one present lowers the score.
    "no_fixed_income": "-6",
    "spends_mostly_on_staple_food": "-4",
    "health_care_only_subsidised": "-3",
    "cannot_buy_yearly_clothes": "-4",
    "schooling_up_to_junior_secondary": "-3",
    "poor_walls": "-4",
    "poor_floor": "-4",
    "poor_roof": "-3",
    "no_metered_electricity": "-5",
    "unprotected_water_source": "-4",
    "crowded": "-5",
    # Assets raise it.
    "owns_motorcycle": "4",
    "owns_car": "12",
    "owns_refrigerator": "5",
    "owns_land": "6",
    "owns_livestock": "4",
    # Per million Rp per person per month (capped at 5 million).
    "income_per_capita": "8",
    # Per member, and per unit of dependency ratio.
    "household_size": "-1",
    "dependency_ratio": "-3",
}
# Per-province overrides: a rupiah buys less in Jakarta; the highlands of Papua are
# remote and dear, so the same household is worse off there.
V1_PROVINCE_WEIGHTS = [
    ("income_per_capita", "31", "5"),
    ("constant", "95", "45"),
]

ALL_EXCLUSIONS = ["not_registered", "excluded_occupation", "deceased"]
PROGRAMMES = [
    {
        "code": "PKH",
        "name": "PKH (Program Keluarga Harapan)",
        "description": "Bantuan tunai bersyarat untuk keluarga miskin dengan ibu hamil, anak balita, "
        "anak usia sekolah, lansia, atau penyandang disabilitas berat.",
        "desil_ceiling": 4,
        "requires_any": ["pregnant", "child_under_5", "school_age", "elderly", "severe_disability"],
    },
    {
        "code": "BPNT",
        "name": "BPNT / Kartu Sembako",
        "description": "Bantuan pangan melalui kartu elektronik.",
        "desil_ceiling": 4,
        "requires_any": [],
    },
    {
        "code": "PBI_JK",
        "name": "PBI-JK (iuran JKN dibayar negara)",
        "description": "Negara membayar iuran Jaminan Kesehatan Nasional.",
        "desil_ceiling": 5,
        "requires_any": [],
    },
    {
        "code": "BLT",
        "name": "BLT (Bantuan Langsung Tunai)",
        "description": "Bantuan tunai darurat; batas desil dapat diubah sesuai keputusan.",
        "desil_ceiling": 4,
        "requires_any": [],
    },
    {
        "code": "KIP_KULIAH",
        "name": "KIP-Kuliah",
        "description": "Bantuan biaya kuliah untuk mahasiswa dari keluarga miskin.",
        "desil_ceiling": 4,
        "requires_any": ["student"],
    },
]


def forwards(apps, schema_editor):
    ScoreModel = apps.get_model("eligibility", "ScoreModel")
    ScoreWeight = apps.get_model("eligibility", "ScoreWeight")
    Programme = apps.get_model("eligibility", "Programme")
    if not ScoreModel.objects.filter(version=1).exists():
        model = ScoreModel.objects.create(
            version=1,
            name="Model awal (PMT linear)",
            notes="Bobot awal yang masuk akal untuk uji coba; lihat docs/eligibility.md.",
            status="active",
            activated_at=timezone.now(),
        )
        ScoreWeight.objects.bulk_create(
            [ScoreWeight(model=model, variable=v, province_code="", weight=Decimal(w)) for v, w in V1_WEIGHTS.items()]
            + [ScoreWeight(model=model, variable=v, province_code=p, weight=Decimal(w)) for v, p, w in V1_PROVINCE_WEIGHTS]
        )
    for data in PROGRAMMES:
        Programme.objects.get_or_create(code=data["code"], defaults={**data, "exclusions": ALL_EXCLUSIONS})


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    # Backwards: nothing to undo here; 0001's reverse drops the tables.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
