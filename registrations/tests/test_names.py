import pytest
from hypothesis import given
from hypothesis import strategies as st

from registrations.names import normalize_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("H. Moch. Yoesoef, S.Pd.", "Muhammad Yusuf"),
        ("Muhamad Yusup", "MUHAMMAD YUSUF"),
        ("Hj. Siti Aminah", "siti  aminah"),
        ("Achmad Djunaedi S.E.", "Ahmad Junaedi"),
        ("Dr. Ir. Budi Santoso, M.M.", "Budi Santoso"),
        ("Hasanuddin", "Hasanudin"),
        ("Tjahjono", "Cahyono"),
        ("Soekarno", "Sukarno"),
        ("Sjarifuddin", "Syarifudin"),
        ("Noer Aini", "Nur Aini"),
        ("Sri Wahyuni, A.Md.", "Sri Wahyuni"),
        ("Nyoman", "Njoman"),
    ],
)
def test_benign_differences_normalise_to_the_same_key(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(("a", "b"), [("Joko", "Yoko"), ("Siti Aminah", "Siti Aisyah"), ("Budi", "Budiman")])
def test_different_names_stay_different(a, b):
    assert normalize_name(a) != normalize_name(b)


def test_a_title_alone_is_kept_as_the_name():
    assert normalize_name("H.") == "h"
    assert normalize_name("") == "" and normalize_name(None) == ""


@given(st.text(max_size=60))
def test_never_crashes_and_is_idempotent(value):
    key = normalize_name(value)
    assert normalize_name(key) == key
