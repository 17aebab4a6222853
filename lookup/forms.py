from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.forms.photos import MultipleFileField
from registrations.models.regions import RegionLevel
from registrations.widgets import NativeDateInput, RegionPickerWidget

from .captcha import Captcha, PublicCaptchaField, new_captcha
from .models import REASONS_BY_KIND, ObjectionKind
from .selectors import MIN_NAME_LETTERS, name_key_or_none, village_or_none


def captcha_field() -> PublicCaptchaField:
    """Validation only: the page shows a new captcha from ``lookup.captcha.new_captcha``
    through ``lookup/partials/captcha_field.html`` (label and help text are there)."""
    return PublicCaptchaField(
        label=_("Kode pada gambar"),
        error_messages={"invalid": _("Kode tidak sesuai atau sudah kedaluwarsa. Ketik kode yang baru.")},
    )


class VillageField(forms.CharField):
    """The region picker's village, cleaned to a ``selectors.Village`` (code and name)
    from the per-worker cache instead of a query per search."""

    default_error_messages = {"invalid_choice": _("Pilih wilayah sampai tingkat desa/kelurahan.")}

    def __init__(self, **kwargs):
        super().__init__(max_length=13, widget=RegionPickerWidget(target_level=RegionLevel.VILLAGE), **kwargs)

    def clean(self, value):
        code = super().clean(value)
        village = village_or_none(code)
        if village is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return village


class CaptchaForm(CleanInputMixin, forms.Form):
    def next_captcha(self) -> Captcha:
        """The captcha to show next: the one stored while spending this form's, else a new one."""
        return self.fields["captcha"].renewed or new_captcha()


class LookupForm(CaptchaForm):
    village = VillageField(label=_("Desa/kelurahan"))
    name = forms.CharField(
        label=_("Nama sesuai KTP"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    captcha = captcha_field()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if any(c in name for c in "*%_?"):
            raise forms.ValidationError(_("Tulis nama lengkap tanpa tanda bintang atau karakter pengganti."))
        if name_key_or_none(name) is None:
            raise forms.ValidationError(
                _("Tulis nama lengkap sesuai KTP (paling sedikit %(n)d huruf).") % {"n": MIN_NAME_LETTERS}
            )
        return name


class TrackingForm(CaptchaForm):
    tracking_number = forms.CharField(
        label=_("Nomor usulan"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("Tertera pada bukti usulan, diawali US (contoh: US7K3M9QXT)."),
    )
    birth_date = forms.DateField(label=_("Tanggal lahir kepala keluarga"), widget=NativeDateInput())
    captcha = captcha_field()

    def clean_tracking_number(self):
        return self.cleaned_data["tracking_number"].strip().upper().replace(" ", "")


class ObjectionForm(CleanInputMixin, forms.Form):
    """A sanggah about a person picked from the lookup (kind ``tidak_layak``)."""

    reason = forms.ChoiceField(
        label=_("Alasan"),
        choices=[(r.value, r.label) for r in REASONS_BY_KIND[ObjectionKind.NOT_ELIGIBLE]],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Uraian"),
        max_length=2000,
        min_length=20,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Jelaskan apa yang Anda ketahui (paling sedikit 20 karakter). Identitas Anda tidak ditampilkan."),
    )
    photos = MultipleFileField(
        label=_("Foto bukti (boleh lebih dari satu, paling banyak 3)"),
        required=False,
        help_text=_("Misalnya foto rumah atau kendaraan. Foto dibersihkan dari data lokasi sebelum disimpan."),
    )


class MissingNeighbourForm(ObjectionForm):
    """A sanggah proposing a neighbour who qualifies but is missing (``layak_terlewat``)."""

    person_name = forms.CharField(label=_("Nama tetangga sesuai KTP (bila tahu)"), max_length=120)
    rt = forms.RegexField(label="RT", regex=r"^\d{1,3}$", required=False, max_length=3)
    rw = forms.RegexField(label="RW", regex=r"^\d{1,3}$", required=False, max_length=3)
    field_order = ["person_name", "rt", "rw", "reason", "statement", "photos"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.value, r.label) for r in REASONS_BY_KIND[ObjectionKind.MISSING]]


class MoveForm(CleanInputMixin, forms.Form):
    note = forms.CharField(
        label=_("Catatan"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
