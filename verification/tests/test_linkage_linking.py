"""The linker end to end in Python: model estimation, the id + birth date trap, name
variants, a non-Indonesian file, blanks, dedupe and the chunked Celery path."""

import csv
import random

import numpy as np
import pytest

from testing.linkage import SYNTH_MAP, read_links, scores, synth, synthetic_files, write_csv
from verification.linkage import compare as cmp
from verification.linkage.engine import LinkJob, ReferenceIndex, link_files, parse_mapping, train
from verification.linkage.model import Model
from verification.linkage.records import Layout, Settings, build


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """3,000 reference people and 600 candidates (80 % with a true match), Indonesian-style."""
    directory = tmp_path_factory.mktemp("synthetic")
    return synthetic_files(str(directory), 3000, 600)


def run(tmp_path, reference, candidates, mapping, *, id_reference="person_id", id_candidates="person_id", **kw):
    out = tmp_path / "links.csv"
    job = LinkJob(
        reference=reference,
        candidates=candidates,
        mapping=parse_mapping(mapping),
        id_reference=id_reference,
        id_candidates=id_candidates,
        out=out,
        **kw,
    )
    stats = link_files(job)
    return read_links(out), stats


def test_links_synthetic_indonesian_data_with_high_f1(tmp_path, synthetic):
    reference, candidates, truth = synthetic
    links, stats = run(tmp_path, reference, candidates, SYNTH_MAP)
    precision, recall, f1 = scores(links, truth)
    assert f1 >= 0.97, (precision, recall)
    assert stats.settings.ids_carry_birth_date  # the NIKs were recognised from the data
    assert all(0.5 <= s <= 1 for _r, s in links.values())


def test_em_recovers_sensible_m_and_u(tmp_path, synthetic):
    _reference, _candidates, _truth = synthetic
    _links, stats = run(tmp_path, *synthetic[:2], SYNTH_MAP)
    model = stats.model
    name = model.comparisons.index("name")
    id_date = model.comparisons.index("id_date")
    # Most true matches agree exactly on the normalised name; few pairs of different people do.
    assert model.m[name][0] > 0.6
    assert model.pooled_u[name][0] < model.m[name][0]
    assert model.weight(name, 0) > 0 > model.weight(name, 4)
    # Equal ids: the strongest evidence; different ids and dates: strong evidence against.
    assert model.m[id_date][0] > 0.7
    assert model.weight(id_date, 0) > 10
    assert model.weight(id_date, 5) < -5
    # The share of blocked pairs that match is estimated, not assumed.
    assert 0.05 < model.lam < 0.99
    # The model round-trips through JSON-able data (what chunk tasks receive).
    again = Model.from_dict(model.to_dict())
    levels = np.array([[0, 0, 0, 0, 0, 0], [5, 4, 1, 2, 2, 2]], dtype=np.int8)
    assert np.array_equal(again.probability(levels), model.probability(levels))


def test_em_on_random_pairs_gives_low_u_for_exact_names(tmp_path, synthetic):
    """The classic u (random pairs): exact name agreement between two random people is rare."""
    from verification.linkage.model import u_from_random_pairs

    job = LinkJob(
        reference=synthetic[0],
        candidates=synthetic[1],
        mapping=parse_mapping(SYNTH_MAP),
        id_reference="person_id",
        id_candidates="person_id",
        out=tmp_path / "x.csv",
    )
    settings = job.settings()
    index = ReferenceIndex.from_file(job.reference_file, job.reference_layout, settings)
    sample = job.training_sample(settings)
    comparisons = cmp.active_comparisons(settings.fields)
    rng = np.random.default_rng(1)
    ri = rng.integers(0, len(index), 20000)
    ci = rng.integers(0, len(sample.columns), 20000)
    u = u_from_random_pairs(cmp.compare(index.columns, sample.columns, ri, ci, comparisons), comparisons)
    model = train(index, sample, comparisons, dedupe=False)
    name = comparisons.index("name")
    assert u[name][0] < 0.01 < 0.6 < model.m[name][0]


def _nik(district, day, month, year, serial, female=False):
    return f"{district}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


def test_twins_with_niks_differing_in_the_serial_are_not_linked(tmp_path, synthetic):
    """Two people born the same day in the same district, NIKs differing only in the serial,
    same address and family name, different given names: NOT the same person."""
    _synth = synth()
    reference, candidates_path, _truth = synthetic
    with open(reference, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(candidates_path, newline="", encoding="utf-8") as f:
        ordinary = list(csv.reader(f))[1:]
    header, people = rows[0], rows[1:]
    twins = []
    for n in range(40):
        district = "320412"
        nik_a = _nik(district, 1 + n % 28, 1 + n % 12, 1990, 1)
        nik_b = _nik(district, 1 + n % 28, 1 + n % 12, 1990, 2)
        date = f"1990-{1 + n % 12:02d}-{1 + n % 28:02d}"
        address = f"JL. MELATI NO. {n} RT 001/RW 002"
        family = random.Random(n).choice(_synth.MALE_LAST).upper()
        given_a, given_b = _synth.MALE_FIRST[n].upper(), _synth.MALE_FIRST[-1 - n].upper()  # A... and Z...
        people.append([f"TA{n}", nik_a, f"{given_a} {family}", "BANDUNG", date, "L", "32.04.12.2001", address])
        twins.append([f"TB{n}", nik_b, f"{given_b} {family}", "BANDUNG", date, "L", "32.04.12.2001", address])
    ref_path = write_csv(tmp_path / "reference.csv", header, people)
    # Candidates: the twins B (not in the reference), the A twins, and ordinary candidates.
    candidates = ordinary + twins + [[f"CA{n}", *p[1:]] for n, p in enumerate(people[-40:])]
    cand_path = write_csv(tmp_path / "candidates.csv", header, candidates)
    links, _stats = run(tmp_path, ref_path, cand_path, SYNTH_MAP)
    assert not [c for c in links if c.startswith("TB")], "a twin was linked to the other twin"
    assert sum(1 for c, (r, _s) in links.items() if c.startswith("CA") and r == "TA" + c[2:]) >= 38

    # The comparison that sees it: one joint id + birth date level for "ids 1-2 characters
    # off, same birth date", not two independent agreements.
    settings = Settings(fields=frozenset({"id_number", "birth_date"}))
    layout = Layout.from_header(["id", "nik", "dob"], {"id_number": ["nik"], "birth_date": ["dob"]}, "id", label="t")
    a = build([(0, ["a", twins[0][1], "1990-01-01"])], layout, settings).columns
    b = build([(0, ["b", people[-40][1], "1990-01-01"])], layout, settings).columns
    levels = cmp.compare(a, b, np.array([0]), np.array([0]), ["id_date"])
    assert levels[0, 0] == 2


def test_indonesian_name_variants_link(tmp_path, synthetic):
    reference, _candidates, _truth = synthetic
    with open(reference, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, people = rows[0], rows[1:]
    people += [
        ["V1", "3204120101800001", "MUHAMMAD YUSUF HIDAYAT", "BANDUNG", "1980-01-01", "L", "32.04.12.2001", "JL. A 1"],
        ["V2", "3204124202810001", "SITI AMINAH", "BANDUNG", "1981-02-02", "P", "32.04.12.2001", "JL. B 2"],
        ["V3", "3204120303820001", "AGUS BUDI SANTOSO", "BANDUNG", "1982-03-03", "L", "32.04.12.2001", "JL. C 3"],
        ["V4", "3204120404830001", "DJOKO SOETRISNO", "BANDUNG", "1983-04-04", "L", "32.04.12.2001", "JL. D 4"],
    ]
    ref_path = write_csv(tmp_path / "reference.csv", header, people)
    variants = [
        # titles and degrees, Muhammad → Moch., Yusuf → Yusup, no NIK, another date format
        ["W1", "", "H. Moch. Yusup Hidayat, S.Pd.", "Bandung", "01/01/1980", "M", "32.04.12.2001", ""],
        # Hj. and Sitti, the NIK with a typo
        ["W2", "3204124202810007", "Hj. Sitti Aminah", "", "02-02-1981", "P", "", "Jalan B 2"],
        # word order
        ["W3", "", "Santoso Agus Budi", "BANDUNG", "19820303", "L", "32.04.12.2001", ""],
        # old spelling → new spelling
        ["W4", "", "Joko Sutrisno", "BANDUNG", "1983-04-04", "", "32.04.12.2001", "JL. D 4"],
    ]
    cand_path = write_csv(tmp_path / "candidates.csv", header, variants)
    links, _stats = run(tmp_path, ref_path, cand_path, SYNTH_MAP)
    assert {c: r for c, (r, _s) in links.items()} == {"W1": "V1", "W2": "V2", "W3": "V3", "W4": "V4"}


FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Emily",
    "Noah",
    "Sophie",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
]
CITIES = ["London", "Leeds", "Bristol", "York", "Bath", "Oxford", "Cambridge", "Derby", "Exeter", "Hull"]


def _typo(rng, word):
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + rng.choice("aeiourstn") + word[i + 1 :]


def test_a_non_indonesian_file_links(tmp_path):
    """English names split over two columns, no id, day-first dates, M/F: nothing Indonesian."""
    rng = random.Random(3)
    people = []
    for n in range(800):
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2010)}"
        people.append([f"P{n}", rng.choice(FIRST), rng.choice(LAST), born, rng.choice("MF"), rng.choice(CITIES)])
    ref_path = write_csv(
        tmp_path / "people.csv", ["person", "given_name", "surname", "date_of_birth", "gender", "town"], people
    )
    candidates, truth = [], {}
    for n, (pid, given, surname, born, gender, town) in enumerate(rng.sample(people, 200)):
        roll = rng.random()
        if roll < 0.3:
            given = _typo(rng, given)
        elif roll < 0.45:
            surname = _typo(rng, surname)
        elif roll < 0.55:
            given, surname = surname, given  # swapped columns
        if rng.random() < 0.1:
            gender = ""
        candidates.append([f"X{n}", given.upper(), surname, born, {"M": "male", "F": "female", "": ""}[gender], town])
        truth[f"X{n}"] = pid
    for n in range(40):  # people who are not in the reference
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2010)}"
        candidates.append([f"Y{n}", rng.choice(FIRST), rng.choice(LAST), born, "male", rng.choice(CITIES)])
    cand_path = write_csv(tmp_path / "others.csv", ["ref", "first", "last", "dob", "sex", "city"], candidates)
    out = tmp_path / "links.csv"
    job = LinkJob(
        reference=ref_path,
        candidates=cand_path,
        mapping=parse_mapping(
            ["name=given_name+surname", "birth_date=date_of_birth", "sex=gender", "birth_place=town"]
        ),
        candidate_mapping=parse_mapping(["name=first+last", "birth_date=dob", "sex=sex", "birth_place=city"]),
        id_reference="person",
        id_candidates="ref",
        out=out,
    )
    stats = link_files(job)
    assert not stats.settings.ids_carry_birth_date
    precision, recall, f1 = scores(read_links(out), truth)
    assert f1 >= 0.95, (precision, recall)


def test_blank_and_unparseable_fields(tmp_path, synthetic):
    """Blank and unparseable values anywhere: no crash, and the rest of the evidence still links."""
    reference, candidates, truth = synthetic
    rng = random.Random(5)
    with open(candidates, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    for row in body:
        for i in range(1, len(row)):
            roll = rng.random()
            if roll < 0.15:
                row[i] = ""
            elif roll < 0.18:
                row[i] = rng.choice(["?", "-", "tidak tahu", "31-02-1980", "0000000000000000", "NA"])
    body.append(["EMPTY", "", "", "", "", "", "", ""])
    body.append(["SHORT", "3204120101800001"])  # a ragged row: pyarrow refuses the file, the csv module reads it
    cand_path = write_csv(tmp_path / "candidates.csv", header, body)
    links, stats = run(tmp_path, reference, cand_path, SYNTH_MAP)
    assert stats.candidates == len(body)
    assert "EMPTY" not in links
    _precision, _recall, f1 = scores(links, truth)
    assert f1 >= 0.9


def test_dedupe_finds_each_duplicate_pair_once(tmp_path, synthetic):
    reference, candidates, truth = synthetic
    with open(reference, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(candidates, newline="", encoding="utf-8") as f:
        extra = [r for r in list(csv.reader(f))[1:] if r[0] in truth][:150]
    path = write_csv(tmp_path / "register.csv", rows[0], rows[1:] + extra)
    out = tmp_path / "duplicates.csv"
    job = LinkJob(reference=path, mapping=parse_mapping(SYNTH_MAP), id_reference="person_id", out=out, dedupe=True)
    link_files(job)
    with open(out, newline="", encoding="utf-8") as f:
        found = [(r["candidate_id"], r["reference_id"]) for r in csv.DictReader(f)]
    assert len(found) == len(set(found))
    assert not any((b, a) in set(found) for a, b in found)  # each pair once
    assert all(a != b for a, b in found)
    expected = {(c[0], truth[c[0]]) for c in extra}
    hits = len(expected & set(found))
    assert hits / len(expected) >= 0.9
    assert hits / len(found) >= 0.9


def test_chunked_path_equals_single_process(tmp_path, synthetic, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from verification.linkage.chunked import link_chunked

    reference, candidates, _truth = synthetic
    common = {
        "reference": reference,
        "candidates": candidates,
        "mapping": parse_mapping(SYNTH_MAP),
        "id_reference": "person_id",
        "id_candidates": "person_id",
    }
    single = LinkJob(**common, out=tmp_path / "single.csv")
    link_files(single)
    chunked = LinkJob(**common, out=tmp_path / "chunked.csv")
    stats = link_chunked(chunked, chunks=4, work_dir=tmp_path / "work")
    assert stats.links > 400
    assert (tmp_path / "single.csv").read_bytes() == (tmp_path / "chunked.csv").read_bytes()
    assert not (tmp_path / "work").exists()  # the merge cleans up
