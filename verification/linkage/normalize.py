"""Field parsers for the record linker: one raw CSV value in, one comparable value out.

Every parser is total: a value it cannot understand becomes *text* (compared for
equality only) or *missing*, never an exception. Results are cached per distinct raw
value, because real files repeat dates, sexes, places and name words endlessly.

Codes (all plain Python values, stored by the engine in numpy arrays):

* dates: ``int`` ``YYYYMMDD`` (> 0) when the value parses, ``0`` when blank, and a
  negative number derived from the text when it does not parse (equal texts, equal
  codes), so an unparseable date still agrees with the same unparseable date.
* sex: ``0`` blank, ``1`` male, ``2`` female, anything else a stable code ``>= 3``.
* ids and regions: normalised strings, ``""`` when blank; places and addresses are
  kept as written (the comparisons ignore case and punctuation).
* names: the words of :func:`registrations.names.name_tokens` (titles, degrees and
  spelling variants removed), kept in the original order and sorted.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
import zlib

from registrations.names import DEGREES, PREFIX_TITLES, name_tokens

MISSING_DATE = 0
SEX_MALE, SEX_FEMALE = 1, 2

_CACHE_LIMIT = 2_000_000  # distinct values per cache before it is cleared (bounded memory)

# --- dates -------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(["jan", "januari", "january", "janvier", "enero"], 1),
    **dict.fromkeys(["feb", "februari", "february", "peb", "pebruari", "febr"], 2),
    **dict.fromkeys(["mar", "maret", "march", "mrt"], 3),
    **dict.fromkeys(["apr", "april"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["jun", "juni", "june"], 6),
    **dict.fromkeys(["jul", "juli", "july"], 7),
    **dict.fromkeys(["agu", "agt", "ags", "agustus", "aug", "august"], 8),
    **dict.fromkeys(["sep", "sept", "september"], 9),
    **dict.fromkeys(["okt", "oct", "oktober", "october"], 10),
    **dict.fromkeys(["nov", "nop", "november", "nopember"], 11),
    **dict.fromkeys(["des", "dec", "desember", "december"], 12),
}
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ tT].*)?")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: .*)?")
_EIGHT = re.compile(r"\d{8}")
_D_MON_Y = re.compile(r"(\d{1,2})[-/. ]+([a-z]+)\.?[-/. ,]+(\d{4})")
_MON_D_Y = re.compile(r"([a-z]+)\.?[-/. ]+(\d{1,2})(?:st|nd|rd|th)?[-/. ,]+(\d{4})")
_MIN_YEAR, _MAX_YEAR = 1800, 2200

_date_cache: dict[str, int] = {}


def _ymd(year: int, month: int, day: int) -> int:
    """``YYYYMMDD`` when the three make a real date, else 0."""
    if not (_MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12 and day >= 1):
        return 0
    if day > calendar.monthrange(year, month)[1]:
        return 0
    return year * 10000 + month * 100 + day


def text_code(text: str) -> int:
    """A stable negative code for a value compared as text (equal text, equal code)."""
    return -(zlib.crc32(text.encode("utf-8")) + 1) - (len(text) << 32)


def _parse_date(raw: str) -> int:
    text = raw.strip().lower()
    if not text:
        return MISSING_DATE
    if m := _YMD.fullmatch(text):
        value = _ymd(int(m[1]), int(m[2]), int(m[3]))
    elif m := _DMY.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        value = _ymd(year, second, first)  # day first (Indonesia, Europe, ...)
        if not value and first <= 12 < second:
            value = _ymd(year, first, second)  # unambiguous US month/day/year
    elif _EIGHT.fullmatch(text):
        value = _ymd(int(text[:4]), int(text[4:6]), int(text[6:]))  # YYYYMMDD
        if not value:
            value = _ymd(int(text[4:]), int(text[2:4]), int(text[:2]))  # DDMMYYYY
    elif (m := _D_MON_Y.fullmatch(text)) and m[2] in _MONTHS:
        value = _ymd(int(m[3]), _MONTHS[m[2]], int(m[1]))
    elif (m := _MON_D_Y.fullmatch(text)) and m[1] in _MONTHS:
        value = _ymd(int(m[3]), _MONTHS[m[1]], int(m[2]))
    else:
        value = 0
    return value or text_code(" ".join(text.split()))


def parse_date(raw: str | None) -> int:
    """``"1980-03-07"``, ``"19800307"``, ``"07-03-1980"``, ``"07/03/1980"``, ``"7 Maret 1980"``
    → ``19800307``; blank → 0; anything else → a negative text code."""
    if raw is None:
        return MISSING_DATE
    value = _date_cache.get(raw)
    if value is None:
        if len(_date_cache) >= _CACHE_LIMIT:
            _date_cache.clear()
        value = _date_cache[raw] = _parse_date(raw)
    return value


def date_to_iso(value: int) -> str | None:
    """``19800307`` → ``"1980-03-07"``; codes that are not dates → ``None``."""
    if value <= 0:
        return None
    return f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"


def swap_day_month(value: int) -> int:
    """The same date with day and month swapped, when that is another real date; else 0."""
    if value <= 0:
        return 0
    year, month, day = value // 10000, value // 100 % 100, value % 100
    if day == month or day > 12:
        return 0
    return _ymd(year, day, month)


# --- sex ---------------------------------------------------------------------------

_SEXES = {
    **dict.fromkeys(["l", "lk", "laki", "laki-laki", "laki laki", "lakilaki", "pria", "m", "male", "man"], 1),
    **dict.fromkeys(["p", "pr", "perempuan", "wanita", "f", "female", "woman", "w"], 2),
}
_sex_cache: dict[str, int] = {}


def parse_sex(raw: str | None) -> int:
    """``L``/``M``/``male``/``laki-laki`` → 1, ``P``/``F``/``female``/``perempuan`` → 2, blank → 0.

    Any other value (``"1"``, ``"X"``) gets a stable code ≥ 3 and agrees only with itself.
    """
    if not raw:
        return 0
    value = _sex_cache.get(raw)
    if value is None:
        text = raw.strip().lower().rstrip(".")
        if not text:
            value = 0
        elif text in _SEXES:
            value = _SEXES[text]
        else:
            value = 3 + zlib.crc32(text.encode("utf-8")) % 1_000_000_000
        if len(_sex_cache) < _CACHE_LIMIT:
            _sex_cache[raw] = value
    return value


# --- ids, places, regions, addresses -----------------------------------------------

_NON_ALNUM = re.compile(r"[\W_]+")
_PLACEHOLDER_IDS = frozenset({"NA", "NULL", "NONE", "NAN", "TIDAKADA", "UNKNOWN", "NIL"})


def normalize_id(raw: str | None) -> str:
    """Upper case, separators dropped (``"3201-0101 ..."``, ``"'3201..."`` from Excel); a
    placeholder (``0000...``, ``NA``, ``-``) is blank."""
    if not raw:
        return ""
    value = raw if raw.isdigit() and raw.isascii() else _NON_ALNUM.sub("", raw).upper()
    if not value or value in _PLACEHOLDER_IDS or not value.strip("0"):
        return ""
    return value


def _ascii_lower(value: str) -> str:
    if value.isascii():
        return value.lower()
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if not unicodedata.combining(c)).lower()


def shared_text(raw: str | None) -> str:
    """The value stripped, one shared object per distinct value (places repeat a lot);
    comparisons normalise case and punctuation themselves."""
    if not raw:
        return ""
    return _intern(raw.strip())


_region_cache: dict[str, str] = {}


def normalize_region(raw: str | None) -> str:
    """A region code or name without case, spaces or punctuation: ``"32.04.12.2001"`` →
    ``"3204122001"``, ``"Kab. Bandung"`` → ``"kabbandung"`` (codes keep their prefix order)."""
    if not raw:
        return ""
    value = _region_cache.get(raw)
    if value is None:
        value = _NON_ALNUM.sub("", _ascii_lower(raw))
        if len(_region_cache) >= _CACHE_LIMIT:
            _region_cache.clear()
        _region_cache[raw] = value = _intern(value)
    return value


_interned: dict[str, str] = {}


def _intern(value: str) -> str:
    """One shared object per distinct short value (regions, places, name words)."""
    if len(_interned) >= _CACHE_LIMIT:
        _interned.clear()
    return _interned.setdefault(value, value)


# --- names -------------------------------------------------------------------------

_word_cache: dict[str, str] = {}


def _canonical_word(word: str) -> str:
    value = _word_cache.get(word)
    if value is None:
        tokens = name_tokens(word)
        value = _intern(tokens[0]) if tokens else ""
        if len(_word_cache) < _CACHE_LIMIT:
            _word_cache[word] = value
    return value


def name_words(raw: str | None) -> tuple[str, ...]:
    """:func:`registrations.names.name_tokens`, fast for the common case.

    A plain name (ASCII letters and spaces only, most rows of most files) is split and
    its titles and degrees stripped here, each word canonicalised once per distinct
    word; anything else (dots, commas, accents) goes through ``name_tokens`` whole. The
    result is the same (the tests check it); the common case is ~10x faster.
    """
    if not raw:
        return ()
    if raw.isascii() and raw.replace(" ", "").isalpha():
        words = raw.lower().split()
        while words and words[0] in PREFIX_TITLES and len(words) > 1:
            words = words[1:]
        while len(words) > 1 and words[-1] in DEGREES:
            words = words[:-1]
        return tuple(w for w in map(_canonical_word, words) if w)
    return tuple(_intern(t) for t in name_tokens(raw))


def phonetic_key(word: str) -> str:
    """A coarse key for blocking on a name word: first letter, then the consonants with
    runs collapsed, at most four characters ("santoso" → "snts", "siti" → "st").
    Vowel changes and doubled letters do not change it."""
    value = _phonetic_cache.get(word)
    if value is None:
        out = [word[:1]]
        for ch in word[1:]:
            if ch in "aeiouyhw" or ch == out[-1]:
                continue
            out.append(ch)
            if len(out) == 4:
                break
        value = _phonetic_cache[word] = "".join(out)
    return value


_phonetic_cache: dict[str, str] = {}


# --- structured ids that carry the birth date (NIK-like) ---------------------------

_SIXTEEN_DIGITS = re.compile(r"\d{16}")


def nik_birth(value: str, *, today: datetime.date | None = None) -> tuple[int, int] | None:
    """``(YYYYMMDD, sex)`` read from a NIK-shaped id (``PPKKCC DDMMYY SSSS``, day + 40 for
    women), or ``None`` when the id is not shaped like one.

    The linker only uses this after checking, on the reference file, that the ids
    of the data really do agree with the birth dates next to them (:func:`ids_carry_birth_date`).
    """
    if len(value) != 16 or not _SIXTEEN_DIGITS.fullmatch(value):
        return None
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = SEX_MALE
    if day > 40:
        day, sex = day - 40, SEX_FEMALE
    today = today or datetime.date.today()
    for century in (2000, 1900):
        ymd = _ymd(century + yy, month, day)
        if ymd and ymd <= today.year * 10000 + today.month * 100 + today.day:
            return ymd, sex
    return None


def ids_carry_birth_date(pairs: list[tuple[str, int]], *, min_rows: int = 20, share: float = 0.5) -> bool:
    """Whether the ids of a sample of ``(normalised id, birth date code)`` rows encode
    the birth date the way a NIK does (day, month, two-digit year in digits 7-12)."""
    checked = agreeing = 0
    for id_value, date in pairs:
        if not id_value or date <= 0:
            continue
        checked += 1
        parsed = nik_birth(id_value)
        if parsed and parsed[0] % 1000000 == date % 1000000:
            agreeing += 1
    return checked >= min_rows and agreeing >= share * checked


def clear_caches() -> None:
    """Drop the per-value caches (they only speed up repeated values)."""
    for cache in (_date_cache, _sex_cache, _region_cache, _word_cache, _phonetic_cache, _interned):
        cache.clear()
