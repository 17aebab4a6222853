"""The captcha of the public pages (django-simple-captcha's store, images and audio),
spent and issued with one statement each.

The library's field and widget cost a search a transaction and a read before the
delete, an ORM save for the next captcha and a multi-widget render through the template
engine. Here an answer spends its own captcha with a filtered ``DELETE … RETURNING``
(one attempt per captcha, right or wrong; an expired one is refused and left to
``lookup.tasks.purge_captchas``) and stores the next one in the same statement on
PostgreSQL (a data-modifying ``WITH``; two statements on SQLite); the page renders it
from ``lookup/partials/captcha_field.html`` (``{% captcha_field %}``). ``PASSED`` is accepted only in the library's
``CAPTCHA_TEST_MODE``. Images and audio are still the library's views.
"""

import datetime
import secrets
from dataclasses import dataclass
from functools import cache

from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

#: No I/L/O/Q: on a small phone screen they pass for 1, 0 or each other.
LETTERS = "ABCDEFGHJKMNPRSTUVWXYZ"
_TABLE = f'"{CaptchaStore._meta.db_table}"'  # the same quoting on PostgreSQL and SQLite
_INSERT = f"INSERT INTO {_TABLE} (challenge, response, hashkey, expiration) VALUES (%s, %s, %s, %s)"  # noqa: S608
_SPEND = f"DELETE FROM {_TABLE} WHERE hashkey = %s AND expiration > %s RETURNING response"  # noqa: S608
_SPEND_AND_INSERT = f"WITH spent AS ({_SPEND}), issued AS ({_INSERT}) SELECT response FROM spent"  # noqa: S608


def challenge() -> tuple[str, str]:
    """(shown, expected answer); answers are compared case-insensitively. The code is one
    uniform draw from the system's randomness, written in base ``len(LETTERS)`` (one draw
    per search instead of several per letter)."""
    number = secrets.randbelow(len(LETTERS) ** settings.CAPTCHA_LENGTH)
    letters = []
    for _ in range(settings.CAPTCHA_LENGTH):
        number, index = divmod(number, len(LETTERS))
        letters.append(LETTERS[index])
    text = "".join(letters)
    return text, text


@dataclass(frozen=True)
class Captcha:
    """What the page needs to show one captcha: its key and where its image and audio are."""

    key: str

    @property
    def image_url(self) -> str:
        return _urls()["image"].replace(PLACEHOLDER_KEY, self.key)

    @property
    def audio_url(self) -> str | None:
        audio = _urls()["audio"]
        return audio.replace(PLACEHOLDER_KEY, self.key) if audio else None

    @property
    def refresh_url(self) -> str:
        return _urls()["refresh"]


PLACEHOLDER_KEY = "CAPTCHAKEY"  # no real key contains it: keys are lower-case hex


@cache
def _urls() -> dict[str, str | None]:
    """The captcha's URLs, reversed once per worker rather than three times per answer."""
    audio = captcha_settings.CAPTCHA_FLITE_PATH
    return {
        "image": reverse("captcha-image", kwargs={"key": PLACEHOLDER_KEY}),
        "audio": reverse("captcha-audio", kwargs={"key": PLACEHOLDER_KEY}) if audio else None,
        "refresh": reverse("lookup-captcha-new"),
    }


def _db_time(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _issue_params() -> tuple[Captcha, list]:
    shown, answer = captcha_settings.get_challenge()()
    key = secrets.token_hex(20)  # 40 hex characters, like the library's SHA-1 keys
    expiration = timezone.now() + datetime.timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
    return Captcha(key=key), [shown, answer.lower(), key, _db_time(expiration)]


def new_captcha() -> Captcha:
    """Store a new challenge (one INSERT) and return it for the page."""
    captcha, params = _issue_params()
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)
    return captcha


def spend_and_renew(key: str, answer: str) -> tuple[bool, Captcha]:
    """Delete the captcha ``key`` if unexpired and store the next one; tell whether
    ``answer`` was the spent one's. Any attempt spends it: one guess per captcha."""
    answer = (answer or "").strip().lower()
    spend_params = [key or "", _db_time(timezone.now())]
    fresh, issue_params = _issue_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_SPEND_AND_INSERT, spend_params + issue_params)
            row = cursor.fetchone()
        else:
            cursor.execute(_SPEND, spend_params)
            row = cursor.fetchone()
            cursor.execute(_INSERT, issue_params)
    if captcha_settings.CAPTCHA_TEST_MODE and answer == "passed":
        return True, fresh
    return row is not None and row[0] == answer, fresh


class CaptchaWidget(forms.MultiWidget):
    """Parses ``captcha_0`` (key) and ``captcha_1`` (answer); the markup is the partial's."""

    def __init__(self):
        super().__init__((forms.HiddenInput(), forms.TextInput()))

    def decompress(self, value):
        return value.split(",") if value else [None, None]


class PublicCaptchaField(forms.Field):
    """Spends the submitted captcha; ``renewed`` is the next one, stored by the same
    statement (``None`` until an answer was checked). Forms copy their fields, so this
    belongs to one form. A plain field over the two inputs: a ``MultiValueField`` of two
    ``CharField`` cost every search a deep copy and a clean of three fields."""

    widget = CaptchaWidget
    renewed: Captcha | None = None

    def clean(self, value):
        key, answer = (str(part).strip() if part is not None else "" for part in value)
        if not key or not answer:  # both parts, as the page always sends them
            raise forms.ValidationError(self.error_messages["required"], code="required")
        passed, self.renewed = spend_and_renew(key, answer)
        if not passed:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return key


def purge_expired() -> int:
    deleted, _ = CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()
    return deleted
