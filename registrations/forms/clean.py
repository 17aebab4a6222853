"""Input hygiene shared by every form: length caps, no control characters, sane dates.

A form that mixes in ``CleanInputMixin`` gets, on each of its fields:
- text: control characters refused (tab and line breaks allowed in multi-line
  fields), and a length cap even where the field declared none (a model
  ``TextField`` or a ``CharField`` without ``max_length`` would take megabytes);
- dates: a year between 1900 and 2100 (a typo like 0202 or 20256 gets a message
  instead of reaching the database or the PDF).
Everything is reported on the field, in Indonesian, and nothing the user typed is lost.
"""

from __future__ import annotations

import datetime
import re
import threading

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

#: Used where a text field declared no ``max_length`` of its own.
DEFAULT_MAX_LENGTH = 4000
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_SINGLE_LINE = re.compile(r"[\t\n\r]")


def refuse_control_characters(value: str, *, multiline: bool = True) -> None:
    """Control and direction-override characters hide text and break exports and PDFs."""
    if not isinstance(value, str):
        return
    if _CONTROL.search(value) or (not multiline and _CONTROL_SINGLE_LINE.search(value)):
        raise ValidationError(
            _("Teks berisi karakter kontrol yang tidak diizinkan. Ketik ulang tanpa menyalin dari dokumen lain."),
            code="control_characters",
        )


def refuse_implausible_date(value) -> None:
    if isinstance(value, datetime.date) and not EARLIEST_DATE <= _as_date(value) <= LATEST_DATE:
        raise ValidationError(
            _("Tanggal di luar rentang yang masuk akal (tahun 1900–2100). Periksa kembali tahunnya."),
            code="implausible_date",
        )


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def harden_field(field: forms.Field) -> None:
    """Add the shared validators to one field (idempotent)."""
    if getattr(field, "_input_hardened", False):
        return
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        multiline = _is_multiline(field)
        field.validators.append(lambda value: refuse_control_characters(value, multiline=multiline))
        if field.max_length is None:
            field.max_length = DEFAULT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(DEFAULT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(DEFAULT_MAX_LENGTH))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(refuse_implausible_date)
    field._input_hardened = True  # last: a copy made before this point is hardened anew


_hardening = threading.Lock()


class CleanInputMixin:
    """Mix into a ``Form``/``ModelForm`` (before the Django base) to harden every field.

    The class's own fields are hardened once, at its first instance: a form's fields are
    deep copies of them and carry the validators along (marked hardened), so a form does
    not add them again. Fields an ``__init__`` adds or replaces are hardened per form.
    """

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if "_fields_hardened" not in cls.__dict__:
            with _hardening:  # once per class, also with threads
                if "_fields_hardened" not in cls.__dict__:
                    for field in cls.base_fields.values():
                        harden_field(field)
                    cls._fields_hardened = True
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden_field(field)
