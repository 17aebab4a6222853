"""``manage.py link_records`` end to end on temporary CSV files."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from testing.linkage import SYNTH_MAP, read_links, scores, synthetic_files, write_csv


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return synthetic_files(str(tmp_path_factory.mktemp("synthetic")), 3000, 600)


def maps(mapping):
    return [part for item in mapping for part in ("--map", item)]


def link(*args):
    out = io.StringIO()
    call_command("link_records", *args, stdout=out)
    return out.getvalue()


def test_command_links_two_files(tmp_path, synthetic):
    reference, candidates, truth = synthetic
    out = tmp_path / "links.csv"
    printed = link(
        "--reference",
        str(reference),
        "--candidates",
        str(candidates),
        *maps(SYNTH_MAP),
        "--id-reference",
        "person_id",
        "--id-candidates",
        "person_id",
        "--out",
        str(out),
    )
    assert "links written" in printed
    with open(out, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["candidate_id", "reference_id", "score"]
    _precision, _recall, f1 = scores(read_links(out), truth)
    assert f1 >= 0.97


def test_missing_column_is_a_command_error_naming_it(tmp_path, synthetic):
    reference, candidates, _truth = synthetic
    with pytest.raises(CommandError, match="'tgl_lahir'"):
        link(
            "--reference",
            str(reference),
            "--candidates",
            str(candidates),
            "--map",
            "name=nama",
            "--map",
            "birth_date=tgl_lahir",
            "--id-reference",
            "person_id",
            "--id-candidates",
            "person_id",
            "--out",
            str(tmp_path / "x.csv"),
        )
    with pytest.raises(CommandError, match="'no_such_id'"):
        link(
            "--reference",
            str(reference),
            "--candidates",
            str(candidates),
            "--map",
            "name=nama",
            "--id-reference",
            "person_id",
            "--id-candidates",
            "no_such_id",
            "--out",
            str(tmp_path / "x.csv"),
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "colour=nama"], "unknown field"),
        (["--map", "name"], "FIELD=COLUMN"),
        (["--map", "name=a+"], "empty column"),
        ([], "at least one --map"),
    ],
)
def test_bad_mappings_are_command_errors(tmp_path, synthetic, args, message):
    reference, candidates, _truth = synthetic
    with pytest.raises(CommandError, match=message):
        link(
            "--reference",
            str(reference),
            "--candidates",
            str(candidates),
            *args,
            "--id-reference",
            "person_id",
            "--id-candidates",
            "person_id",
            "--out",
            str(tmp_path / "x.csv"),
        )


def test_candidates_are_needed_unless_dedupe(tmp_path, synthetic):
    reference, _candidates, _truth = synthetic
    with pytest.raises(CommandError, match="--candidates"):
        link(
            "--reference",
            str(reference),
            "--map",
            "name=nama",
            "--id-reference",
            "person_id",
            "--out",
            str(tmp_path / "x.csv"),
        )


def test_encodings_delimiters_and_plus_joined_columns(tmp_path):
    """A UTF-8 file with a BOM and a Latin-1 file with semicolons, names split in two columns."""
    people = [
        ("1", "José", "Álvarez", "12/03/1970"),
        ("2", "Zoë", "Brontë", "01/02/1985"),
        ("3", "François", "Müller", "30/11/1990"),
        ("4", "Ana", "Gómez", "05/06/2001"),
    ]
    reference = write_csv(tmp_path / "ref.csv", ["id", "given", "family", "born"], people, encoding="utf-8-sig")
    candidates = write_csv(
        tmp_path / "cand.csv",
        ["key", "given", "family", "born"],
        [("a", "JOSE", "ALVAREZ", "1970-03-12"), ("b", "Francois", "Muller", "19901130"), ("c", "Nobody", "Here", "")],
        encoding="latin-1",
        delimiter=";",
    )
    out = tmp_path / "links.csv"
    link(
        "--reference",
        str(reference),
        "--candidates",
        str(candidates),
        "--map",
        "name=given+family",
        "--map",
        "birth_date=born",
        "--id-reference",
        "id",
        "--id-candidates",
        "key",
        "--out",
        str(out),
    )
    links = read_links(out)
    assert {c: r for c, (r, _s) in links.items()} == {"a": "1", "b": "3"}


def test_dedupe_command(tmp_path):
    header = ["id", "nik", "nama", "tgl"]
    rows = [
        ["1", "3204120101800001", "BUDI SANTOSO", "1980-01-01"],
        ["2", "3204124202810001", "SITI AMINAH", "1981-02-02"],
        ["3", "3204120101800001", "Budi Santoso", "01/01/1980"],  # duplicate of 1
        ["4", "3204120303820001", "AGUS SALIM", "1982-03-03"],
    ]
    path = write_csv(tmp_path / "register.csv", header, rows)
    out = tmp_path / "duplicates.csv"
    link(
        "--reference",
        str(path),
        "--dedupe",
        "--map",
        "id_number=nik",
        "--map",
        "name=nama",
        "--map",
        "birth_date=tgl",
        "--id-reference",
        "id",
        "--out",
        str(out),
    )
    with open(out, newline="", encoding="utf-8") as f:
        found = [(r["candidate_id"], r["reference_id"]) for r in csv.DictReader(f)]
    assert found == [("3", "1")]
