#!/usr/bin/env python
"""Benchmark: the register audit's recall, false flags and speed on a synthetic extract.

    .venv/bin/python bench/audit.py [--scale N]

``--scale`` is the population size (default 1,000,000, issue 9); the register extract has
``N / 10`` rows. Runs on the configured database (``DATABASE_URL``, SQLite otherwise),
whose population table is emptied and reloaded (and whose bench households, KK numbers
starting ``99``-free real districts, are removed again at the end).

1. A population (``bench/_synth.py``: real villages, Faker id_ID names, valid NIKs) in
   households sharing a KK number; 2 % deceased, 2 % moved to another village. Loaded
   through the import service (``verification.population``, its fast path).
2. A register extract: whole households sampled from the population, with known faults
   injected, one per faulty row: a malformed NIK (length, date part, province), a
   well-formed unknown NIK, another village, another name, another birth date, the other
   sex, another household's KK, the same NIK in a second household, the same person
   under a second NIK; plus registered households in the portal carrying an extract
   row's NIK (another KK) or its person (another NIK). The natural deceased and moved
   people give those flags. Every row, faulty or clean, gets benign variations: case,
   spacing, punctuation, titles and degrees, spelling variants, one transposed or
   mistyped letter in a long name, other date and sex spellings, spaced or quoted numbers,
   undotted village codes.
3. The audit through the portal's code path (``verification.audit.engine.audit_file``);
   per flag kind, recall = flagged / expected; false_flag_rate = clean rows (no fault
   expected) with any flag / clean rows; also the flags raised on faulty rows that were
   not expected.

The last line is ``RESULT population=N register=M min_recall=R false_flag_rate=F rows_per_s=S``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _db  # noqa: E402

FULL_POPULATION = 1_000_000
POPULATION_HEADER = ("nik", "kk_number", "full_name", "birth_place", "birth_date", "sex", "village_code")
POPULATION_HEADER += ("address", "status", "status_date", "moved_to")
REGISTER_HEADER = ("row_id", "household_id", "kk_number", "nik", "full_name", "birth_date", "sex", "village_code")
REGISTER_HEADER += ("relation",)
FAULTS = (
    "invalid_nik",
    "nik_not_found",
    "moved",
    "name_mismatch",
    "birth_date_mismatch",
    "sex_mismatch",
    "kk_mismatch",
    "duplicate_nik",
    "duplicate_person",
)
FAULT_SHARE = 0.2  # share of register rows given one injected fault
REGISTER_INJECTIONS = 0.002  # share of rows duplicated in the portal's registered households
TITLES = {"L": ("H.", "Ir.", "Dr.", "Drs."), "P": ("Hj.", "Dr.", "Dra.", "Ir.")}
DEGREES = (", S.Pd.", ", S.E.", " A.Md.", ", S.H.", ", S.Kom.")
SPELLINGS = {
    "MUHAMMAD": ("Muhamad", "MOHAMMAD", "Moch.", "Mochammad"),
    "AHMAD": ("Achmad", "AKHMAD"),
    "YUSUF": ("Yusup", "YOESOEF", "Jusuf"),
    "ABDUL": ("Abd.",),
    "SITI": ("Sitti",),
}


# --- Population -----------------------------------------------------------------------------


class World:
    """The population in households, and the register drawn from it."""

    def __init__(self, rng: random.Random, population: int):
        from _synth import Population

        self.rng = rng
        self.people = Population(rng, max(20, population // 400))
        self.households: list[dict] = []  # {"kk", "village", "members": [person dicts]}
        self.kk_serial = 0
        self.size = population

    def kk(self, village: str) -> str:
        self.kk_serial += 1
        issued = f"{self.rng.randrange(1, 29):02d}{self.rng.randrange(1, 13):02d}{self.rng.randrange(10, 24):02d}"
        return f"{village[:8].replace('.', '')}{issued}{self.kk_serial % 10000:04d}"

    def generate(self) -> None:
        rng, made = self.rng, 0
        villages = self.people.villages
        while made < self.size:
            village = rng.choice(villages)
            kk = self.kk(village[0])
            members = []
            for _ in range(min(rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 6)), self.size - made)):
                p = self.people.person(village)
                status = moved_to = ""
                roll = rng.random()
                if roll < 0.02:
                    status = "deceased"
                elif roll < 0.04:
                    status = "moved"
                    moved_to = rng.choice([v for v, _r in villages if v != p.village][:50])
                members.append(
                    {
                        "nik": p.nik,
                        "name": p.name,
                        "birth": p.birth_date,
                        "sex": p.sex,
                        "village": p.village,
                        "status": status,
                        "moved_to": moved_to,
                        "place": p.birth_place,
                        "address": p.address,
                    }
                )
                made += 1
            self.households.append({"kk": kk, "village": village[0], "members": members})

    def write_population(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(POPULATION_HEADER)
            for household in self.households:
                for m in household["members"]:
                    when = ""
                    if m["status"]:
                        when = min(m["birth"] + datetime.timedelta(days=9000), datetime.date(2025, 6, 1)).isoformat()
                    writer.writerow(
                        [
                            m["nik"],
                            household["kk"],
                            m["name"],
                            m["place"],
                            m["birth"].isoformat(),
                            m["sex"],
                            m["village"],
                            m["address"],
                            m["status"],
                            when,
                            m["moved_to"],
                        ]
                    )


# --- Benign variations ------------------------------------------------------------------------


def _letters(name: str) -> int:
    return sum(c.isalpha() for c in name)


def benign_name(rng: random.Random, name: str, sex: str) -> str:
    original = name.split()
    words = list(original)
    if rng.random() < 0.3:
        words = [rng.choice(SPELLINGS[w]) if w in SPELLINGS else w for w in words]
    if rng.random() < 0.15 and _letters(name) >= 10:
        # one transposed or mistyped letter in a long word that is not a spelling variant
        candidates = [i for i, w in enumerate(words) if len(w) >= 5 and original[i] not in SPELLINGS and w.isalpha()]
        if candidates:
            i = rng.choice(candidates)
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            if rng.random() < 0.5:
                w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            else:
                w = w[:j] + rng.choice([c for c in "KLMNPRST" if c != w[j].upper()]) + w[j + 1 :]
            words[i] = w
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.4:
        text = text.title()
    elif roll < 0.5:
        text = text.lower()
    if rng.random() < 0.1:
        text = text.replace(" ", "  ", 1) + " "
    if rng.random() < 0.05:
        text = text.replace(" ", ". ", 1)
    if rng.random() < 0.08:
        text = f"{rng.choice(TITLES[sex])} {text}"
    if rng.random() < 0.06:
        text += rng.choice(DEGREES)
    return text


def benign_date(rng: random.Random, d: datetime.date) -> str:
    return rng.choice(
        (d.isoformat(), d.isoformat(), d.strftime("%d-%m-%Y"), d.strftime("%d/%m/%Y"), d.strftime("%Y%m%d"))
    )


def benign_sex(rng: random.Random, sex: str) -> str:
    return rng.choice((sex, sex, sex.lower(), "M" if sex == "L" else "F", "Laki-laki" if sex == "L" else "Perempuan"))


def benign_number(rng: random.Random, value: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        return f"'{value}"
    if roll < 0.05:
        return f" {value} "
    return value


def benign_village(rng: random.Random, code: str) -> str:
    return code.replace(".", "") if rng.random() < 0.05 else code


# --- Register extract -----------------------------------------------------------------------------


def _other_name(world: World, row: dict) -> str:
    original = set(row["name"].upper().replace(".", "").split())
    while True:
        candidate = world.people.name(row["sex"])
        if not original & set(candidate.split()):
            return candidate


def build_register(world: World, rows_wanted: int):
    """Register rows (dicts with ``expected`` flag sets) and the portal registrations to make."""
    rng = world.rng
    households = rng.sample(world.households, len(world.households))
    by_village: dict[str, list[dict]] = defaultdict(list)
    rows: list[dict] = []
    chosen = []
    for household in households:
        if len(rows) >= rows_wanted:
            break
        hid = f"RT{len(chosen) + 1:06d}"
        chosen.append((hid, household))
        by_village[household["village"]].append({"id": hid, "kk": household["kk"]})
        for position, m in enumerate(household["members"]):
            expected = set()
            if m["status"] == "deceased":
                expected.add("deceased")
            elif m["status"] == "moved":
                expected.add("moved")
            rows.append(
                {
                    "household_id": hid,
                    "kk": household["kk"],
                    "nik": m["nik"],
                    "name": m["name"],
                    "birth": m["birth"],
                    "sex": m["sex"],
                    "village": household["village"],
                    "relation": "kepala" if position == 0 else "anggota",
                    "expected": expected,
                    "fault": "",
                }
            )
    serial = 5000
    extra: list[dict] = []
    for row in rows:
        if row["expected"] or rng.random() >= FAULT_SHARE:
            continue
        fault = rng.choice(FAULTS)
        row["fault"] = fault
        if fault == "invalid_nik":
            nik, kind = row["nik"], rng.randrange(4)
            row["nik"] = (
                nik[:15]
                if kind == 0
                else nik[:6] + "00" + nik[8:]
                if kind == 1
                else "99" + nik[2:]
                if kind == 2
                else nik + "7"
            )
            row["expected"] = {"invalid_nik"}
        elif fault == "nik_not_found":
            serial += 1
            row["nik"] = row["nik"][:12] + f"{serial:04d}"
            row["expected"] = {"nik_not_found"}
        elif fault == "moved":
            row["village"] = rng.choice([v for v in by_village if v != row["village"]])
            row["expected"] = {"moved"}
        elif fault == "name_mismatch":
            row["name"] = _other_name(world, row)
            row["expected"] = {"name_mismatch"}
        elif fault == "birth_date_mismatch":
            row["birth"] = row["birth"] + datetime.timedelta(days=rng.choice((-1, 1, 30, -365, 3650, 12, -40)))
            row["expected"] = {"birth_date_mismatch"}
        elif fault == "sex_mismatch":
            row["sex"] = "P" if row["sex"] == "L" else "L"
            row["expected"] = {"sex_mismatch"}
        elif fault == "kk_mismatch":
            original = row["kk"]
            while row["kk"] == original:
                row["kk"] = rng.choice(world.households)["kk"]
            row["expected"] = {"kk_mismatch"}
        elif fault == "duplicate_nik":
            others = [h for h in by_village[row["village"]] if h["id"] != row["household_id"]]
            if not others:
                row["fault"] = ""
                continue
            home = rng.choice(others)
            row["expected"] = {"duplicate_nik"}
            extra.append(
                {
                    **row,
                    "household_id": home["id"],
                    "kk": home["kk"],
                    "relation": "anggota",
                    "expected": {"duplicate_nik", "kk_mismatch"},
                    "fault": "duplicate_nik (copy)",
                }
            )
        elif fault == "duplicate_person":
            serial += 1
            home = rng.choice(by_village[row["village"]])
            row["expected"] = {"duplicate_person"}
            extra.append(
                {
                    **row,
                    "nik": row["nik"][:12] + f"{serial:04d}",
                    "household_id": home["id"],
                    "kk": home["kk"],
                    "relation": "anggota",
                    "expected": {"duplicate_person", "nik_not_found"},
                    "fault": "duplicate_person (copy)",
                }
            )
    rows.extend(extra)
    rng.shuffle(rows)
    # Registered households in the portal: an extract row's NIK under another KK, or its
    # person under another NIK, in a few villages (they need Region rows).
    clean = [r for r in rows if not r["expected"] and not r["fault"]]
    registered = []
    villages = sorted({r["village"] for r in clean})[:20]
    pool = [r for r in clean if r["village"] in villages]
    for row in rng.sample(pool, min(len(pool), max(2, int(len(rows) * REGISTER_INJECTIONS)))):
        if rng.random() < 0.5:
            row["expected"] = {"duplicate_nik"}
            row["fault"] = "duplicate_nik (register)"
            registered.append({"nik": row["nik"], **{k: row[k] for k in ("name", "birth", "sex", "village")}})
        else:
            serial += 1
            row["expected"] = {"duplicate_person"}
            row["fault"] = "duplicate_person (register)"
            registered.append(
                {"nik": row["nik"][:12] + f"{serial:04d}", **{k: row[k] for k in ("name", "birth", "sex", "village")}}
            )
    return rows, registered


def write_register(world: World, rows: list[dict], path: Path) -> None:
    rng = world.rng
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REGISTER_HEADER)
        for i, row in enumerate(rows, start=1):
            row["row_id"] = f"R{i:07d}"
            name = row["name"] if row["fault"] == "name_mismatch" else benign_name(rng, row["name"], row["sex"])
            row["written_name"] = name
            writer.writerow(
                [
                    row["row_id"],
                    row["household_id"],
                    benign_number(rng, row["kk"]),
                    benign_number(rng, row["nik"]),
                    name,
                    benign_date(rng, row["birth"]),
                    benign_sex(rng, row["sex"]),
                    benign_village(rng, row["village"]),
                    row["relation"],
                ]
            )


def register_in_portal(registered: list[dict]) -> list[str]:
    """Households in the portal for the register injections; returns their KK numbers."""
    from registrations.models import Household, Member
    from registrations.services.regions import regions_load

    regions_load(prefixes=sorted({r["village"][:8] for r in registered}))
    kks = []
    for i, r in enumerate(registered, start=1):
        kk = f"{r['village'][:8].replace('.', '')}0101019{i:03d}"
        kks.append(kk)
        household = Household.objects.create(kk_number=kk, village_id=r["village"], address="Bench", rt="001", rw="001")
        Member.objects.create(
            household=household,
            nik=r["nik"],
            full_name=r["name"],
            birth_place="Bench",
            birth_date=r["birth"],
            sex=r["sex"],
            relation="kepala",
            marital_status="kawin",
        )
    return kks


# --- Run ---------------------------------------------------------------------------------------------


def empty_population() -> None:
    from django.db import connection

    from verification.models import PopulationRecord

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PopulationRecord._meta.db_table}")  # noqa: S608 - our table name


def run(scale: int, seed: int, work: Path, *, reuse: bool = False, profile: bool = False) -> str:
    from django.db import connection

    from registrations.models import Household
    from verification.audit.engine import audit_file
    from verification.population.imports import import_population

    rng = random.Random(seed)
    register_rows = max(100, scale // 10)
    print(f"database: {connection.vendor}; population={scale:,} register={register_rows:,}")
    started = time.perf_counter()
    world = World(rng, scale)
    world.generate()
    population_csv = work / "population.csv"
    world.write_population(population_csv)
    rows, registered = build_register(world, register_rows)
    register_csv = work / "register.csv"
    write_register(world, rows, register_csv)
    print(
        f"generated in {time.perf_counter() - started:.1f}s: "
        f"{len(rows):,} register rows, {len(registered)} registrations"
    )

    from verification.models import PopulationRecord

    if reuse and PopulationRecord.objects.count() == scale:
        print("population already loaded (--reuse-population): import skipped")
    else:
        empty_population()
        started = time.perf_counter()
        imported = import_population(population_csv)
        print(f"population import {time.perf_counter() - started:.1f}s: {imported.summary()}")
    kks = register_in_portal(registered)

    flagged: dict[str, set[str]] = {}

    def on_row(result):
        if result.flags:
            flagged[result.row.row_id] = {flag for flag, _detail in result.flags}

    try:
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        result = audit_file(register_csv, id_column="row_id", on_row=on_row)
        elapsed = time.perf_counter() - started
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    finally:
        Household.objects.filter(kk_number__in=kks).delete()
    print(f"audit {elapsed:.2f}s: {result.summary()}")

    expected_counts, found_counts = Counter(), Counter()
    unexpected = Counter()
    clean = clean_flagged = 0
    examples = []
    missed = []
    surprises = []
    for row in rows:
        got = flagged.get(row["row_id"], set())
        for flag in row["expected"]:
            expected_counts[flag] += 1
            found_counts[flag] += flag in got
            if flag not in got and len(missed) < 5:
                missed.append((row["row_id"], flag, row["fault"], row["written_name"], row["name"]))
        if not row["expected"]:
            clean += 1
            if got:
                clean_flagged += 1
                if len(examples) < 5:
                    examples.append((row["row_id"], sorted(got), row["written_name"], row["name"]))
        surplus = got - row["expected"]
        unexpected.update(surplus)
        if surplus and row["expected"] and len(surprises) < 5:
            surprises.append((row["row_id"], row["fault"], sorted(surplus), row["written_name"], row["name"]))
    print(f"{'flag':<22}{'expected':>10}{'found':>10}{'recall':>9}{'unexpected':>12}")
    recalls = []
    for flag in ("invalid_nik", "nik_not_found", "deceased", *FAULTS[2:]):
        n = expected_counts[flag]
        recall = found_counts[flag] / n if n else float("nan")
        if n:
            recalls.append(recall)
        print(f"{flag:<22}{n:>10,}{found_counts[flag]:>10,}{recall:>9.4f}{unexpected[flag]:>12,}")
    false_rate = clean_flagged / clean if clean else 0.0
    print(f"clean rows: {clean:,}, flagged: {clean_flagged:,} (false_flag_rate {false_rate:.4f})")
    for example in examples:
        print("  false flag example:", example)
    for example in missed:
        print("  missed flag example:", example)
    for example in surprises:
        print("  unexpected flag on a faulty row:", example)
    rate = len(rows) / elapsed
    return (
        f"RESULT population={scale} register={len(rows)} min_recall={min(recalls):.4f} "
        f"false_flag_rate={false_rate:.4f} rows_per_s={rate:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=FULL_POPULATION, help="population records (register: scale/10)")
    parser.add_argument("--seed", type=int, default=20260909)
    parser.add_argument(
        "--reuse-population",
        action="store_true",
        help="skip the import when the population table already holds --scale rows (same seed: same data)",
    )
    parser.add_argument("--profile", action="store_true", help="print where the audit spends its time")
    args = parser.parse_args()
    _db.setup_django()
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as work:
        line = run(args.scale, args.seed, Path(work), reuse=args.reuse_population, profile=args.profile)
    print(line)


if __name__ == "__main__":
    main()
