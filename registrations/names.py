"""Indonesian personal names, normalised for comparison (matching, audit, lookup).

Benign differences must not count as different names: case, spacing, punctuation,
titles and degrees (H., Hj., Ir., Dr., S.Pd., S.E., A.Md.), the old spellings of the
Van Ophuijsen era (oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh), common variants of
frequent names (Muhammad/Muhamad/Moch., Achmad/Ahmad, Yusuf/Yusup) and doubled
letters (Hasanuddin/Hasanudin). ``normalize_name`` gives a key in the original word
order; comparisons that ignore word order sort the tokens themselves.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Honorifics and academic titles written before a name.
PREFIX_TITLES = frozenset(
    {"h", "hj", "haji", "hajjah", "ir", "dr", "drs", "dra", "prof", "kh", "ny", "nn", "tn", "sdr", "sdri", "bpk", "ibu"}
)
#: Degrees written after a name (with or without dots), after removing punctuation.
DEGREES = frozenset(
    {
        "se",
        "sh",
        "st",
        "spd",
        "spdi",
        "skom",
        "sag",
        "ssos",
        "sip",
        "sp",
        "skm",
        "sked",
        "ssi",
        "sth",
        "sfarm",
        "sei",
        "shi",
        "sthi",
        "sikom",
        "ssn",
        "ss",
        "sak",
        "sm",
        "skep",
        "ak",
        "amd",
        "ama",
        "amk",
        "amdkep",
        "apt",
        "mm",
        "msi",
        "mpd",
        "mh",
        "mkes",
        "mt",
        "mag",
        "mba",
        "msc",
        "ma",
        "phd",
        "mkom",
        "mpdi",
        "mhum",
        "bsc",
    }
)
#: Variants of frequent names, mapped to one spelling.
NAME_VARIANTS = {
    **dict.fromkeys(
        [
            "muhammad",
            "muhamad",
            "mohammad",
            "mohamad",
            "mochammad",
            "mochamad",
            "mohamed",
            "muhammed",
            "moch",
            "mochd",
            "moh",
            "mohd",
            "muh",
            "mhd",
            "mhmd",
            "mochamat",
            "muhamat",
            "mukhammad",
        ],
        "muhammad",
    ),
    **dict.fromkeys(["achmad", "ahmad", "akhmad", "ahmat", "achmat", "amad"], "ahmad"),
    **dict.fromkeys(["yusuf", "yusup", "jusuf", "yoesoef", "yusoef", "jusup"], "yusuf"),
    **dict.fromkeys(["abdul", "abd", "abdoel"], "abdul"),
    **dict.fromkeys(["nur", "noer", "nurul"], "nur"),
    **dict.fromkeys(["siti", "sitti"], "siti"),
}
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_OLD_MARKERS = ("oe", "dj", "tj", "sj", "nj")
_NON_LETTER = re.compile(r"[^a-z\s]+")
_DOUBLE = re.compile(r"([a-z])\1+")


def _ascii_lower(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if not unicodedata.combining(c)).lower()


def _strip_degrees_after_comma(value: str) -> str:
    """ "Budi Santoso, S.E., M.M." → "Budi Santoso": what follows a comma is degrees."""
    head, _sep, tail = value.partition(",")
    tail_tokens = [t for t in _NON_LETTER.sub(" ", tail.replace(".", "")).split() if t]
    if tail_tokens and all(t in DEGREES or len(t) <= 3 for t in tail_tokens):
        return head
    return value


def _canonical_token(token: str) -> str:
    if token in NAME_VARIANTS:
        return NAME_VARIANTS[token]
    is_old_spelling = any(marker in token for marker in _OLD_MARKERS)
    for i, (old, _new) in enumerate(_OLD_SPELLING):
        token = token.replace(old, chr(i + 1))
    if is_old_spelling:
        token = token.replace("j", "y")  # in an old-spelling word a plain "j" was "y": Tjahjono → Cahyono
    for i, (_old, new) in enumerate(_OLD_SPELLING):
        token = token.replace(chr(i + 1), new)
    token = _DOUBLE.sub(r"\1", token)
    return NAME_VARIANTS.get(token, token)


@lru_cache(maxsize=65536)
def name_tokens(value: str | None) -> tuple[str, ...]:
    """The name's meaningful words, canonical spelling, original order."""
    if not value:
        return ()
    text = _strip_degrees_after_comma(_ascii_lower(value))
    # Dotted degrees ("s.pd", "a.md") become one token before punctuation goes.
    text = re.sub(r"\b([a-z]{1,2})\.([a-z]{1,4})\.?", r"\1\2", text)
    words = _NON_LETTER.sub(" ", text.replace("'", "")).split()
    while words and words[0] in PREFIX_TITLES and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in DEGREES:
        words = words[:-1]
    return tuple(_canonical_token(w) for w in words if w)


def normalize_name(value: str | None) -> str:
    """One comparable key: "H. Moch. Yoesoef, S.Pd." → "muhammad yusuf"."""
    return " ".join(name_tokens(value))


def mask_name(value: str) -> str:
    """Show a name without giving it away: "SUHARTI" → "SU**RTI", "Siti Aminah" → "SI** AM**AH".

    Enough for a neighbour to recognise a result, too little to harvest a list.
    """

    def mask_word(word: str) -> str:
        n = len(word)
        if n <= 2:
            return word[0] + "*" * (n - 1)
        if n <= 4:
            return word[0] + "*" * (n - 2) + word[-1]
        keep_end = (n - 2) // 2
        return word[:2] + "*" * (n - 2 - keep_end) + word[n - keep_end :]

    return " ".join(mask_word(w) for w in (value or "").upper().split())
