"""Forms of the staff queues: filters, verifier assignment, field visit, batch decisions.

The services check every rule again (role, region, status); these forms keep malformed
input out and put the services' refusals next to the field they concern.
"""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.forms.photos import MultipleFileField
from registrations.models import Region
from registrations.services.proposals import CONDITION_FIELDS
from registrations.widgets import NativeDateInput
from verification.models import FieldVisit, FieldVisitResult
from verification.workflow.selectors import QueueFilters
from verification.workflow.services.review import MAX_VISIT_PHOTOS

AGE_CHOICES = [
    ("", _("Semua")),
    ("7", _("Lebih dari 7 hari")),
    ("14", _("Lebih dari 14 hari")),
    ("30", _("Lebih dari 30 hari")),
]
FLAG_CHOICES = [
    ("", _("Semua")),
    ("ya", _("Ada tanda NIK ganda")),
    ("dukcapil", _("Perlu cek data kependudukan")),
    ("tidak", _("Tanpa tanda")),
]
ASSIGNED_CHOICES = [("", _("Semua")), ("saya", _("Ditugaskan kepada saya")), ("belum", _("Belum ditugaskan"))]

#: The most proposals one batch decision takes from a page (a page holds 100).
MAX_BATCH = 1000


def _not_in_future(value: datetime.date, message) -> datetime.date:
    if value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class _RegionChoiceField(forms.ChoiceField):
    """A select of regions the view has already narrowed to the user's scope."""

    def __init__(self, *, regions, label, **kwargs):
        choices = [("", _("Semua"))] + [(r.code, _region_label(r)) for r in regions]
        super().__init__(label=label, choices=choices, required=False, **kwargs)


def _region_label(region: Region) -> str:
    if region.level == 4 and region.parent_id:
        return f"{region.display_name} ({region.parent.display_name})"
    return region.display_name


class QueueFilterForm(CleanInputMixin, forms.Form):
    """GET filters of a queue. Which fields a page offers depends on the page."""

    nomor = forms.CharField(label=_("Nomor usulan"), required=False, max_length=12)
    umur = forms.ChoiceField(label=_("Lama menunggu"), choices=AGE_CHOICES, required=False)

    def __init__(
        self, data=None, *, villages=None, provinces=None, regions=None, region_label=None, flags=False, assigned=False
    ):
        super().__init__(data)
        if provinces is not None:
            self.fields["provinsi"] = _RegionChoiceField(regions=provinces, label=_("Provinsi"))
        if villages is not None:
            self.fields["desa"] = _RegionChoiceField(regions=villages, label=_("Desa/kelurahan"))
        if regions is not None:
            self.fields["wilayah"] = _RegionChoiceField(regions=regions, label=region_label or _("Wilayah"))
        if flags:
            self.fields["tanda"] = forms.ChoiceField(label=_("Tanda"), choices=FLAG_CHOICES, required=False)
        if assigned:
            self.fields["penugasan"] = forms.ChoiceField(label=_("Penugasan"), choices=ASSIGNED_CHOICES, required=False)

    def filters(self) -> QueueFilters:
        """The valid filters; an invalid value (tampered URL) is simply not applied."""
        self.is_valid()
        c = getattr(self, "cleaned_data", {})
        number = c.get("nomor", "")
        return QueueFilters(
            village=c.get("desa", ""),
            region=c.get("wilayah") or c.get("provinsi") or "",
            min_days=int(c["umur"]) if c.get("umur") else None,
            flagged=c.get("tanda", ""),
            assigned=c.get("penugasan", ""),
            number=number if re.fullmatch(r"[A-Za-z0-9]{1,12}", number or "") else "",
        )


class AssignForm(CleanInputMixin, forms.Form):
    verifier = forms.ModelChoiceField(label=_("Verifikator"), queryset=None, empty_label=_("— pilih verifikator —"))

    def __init__(self, *args, verifiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifier"].queryset = verifiers
        self.fields["verifier"].label_from_instance = lambda u: u.get_full_name() or u.username


# --- field visit -----------------------------------------------------------------------------


class FieldVisitForm(CleanInputMixin, forms.ModelForm):
    """The full instrument as observed, pre-filled with what the household declared."""

    photos = MultipleFileField(
        label=_("Foto rumah (maks. 6)"),
        required=False,
        help_text=_("Tampak depan, dinding, lantai, atap, dapur, sumber air. JPG/PNG/HEIC, maks. 10 MB per foto."),
    )

    class Meta:
        model = FieldVisit
        fields = ["visited_on", *CONDITION_FIELDS, "latitude", "longitude", "result", "notes"]
        widgets = {
            "visited_on": NativeDateInput(),
            "result": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor_area_m2"].required = True
        self.fields["monthly_income"].required = True
        self.fields["result"].choices = FieldVisitResult.choices
        self.fields["notes"].help_text = _(
            "Wajib untuk penolakan dan pengembalian: alasan atau apa yang harus diperbaiki."
        )
        self.fields["latitude"].help_text = _("Opsional. Contoh: -6.987654")
        self.fields["longitude"].help_text = _("Opsional. Contoh: 107.623456")

    @classmethod
    def initial_from(cls, proposal) -> dict:
        initial = {f: getattr(proposal, f) for f in CONDITION_FIELDS}
        initial["visited_on"] = timezone.localdate()
        return initial

    def clean_visited_on(self):
        return _not_in_future(self.cleaned_data["visited_on"], _("Tanggal kunjungan tidak boleh di masa depan."))

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_VISIT_PHOTOS:
            raise forms.ValidationError(_("Paling banyak %(n)d foto per kunjungan.") % {"n": MAX_VISIT_PHOTOS})
        return photos

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None) and not self.errors.get("latitude"):
            self.add_error("longitude", _("Isi lintang dan bujur sekaligus, atau kosongkan keduanya."))
        return cleaned

    def conditions(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in CONDITION_FIELDS}


# --- batch decisions ---------------------------------------------------------------------------


class IdListField(forms.Field):
    """Proposal ids from the page's checkboxes. Only numbers here: the view checks them
    against the user's scope and the service against the workflow."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Pilihan usulan tidak valid.")) from exc


class _BatchForm(CleanInputMixin, forms.Form):
    """The selected proposals of a page and the document that decides them."""

    usulan = IdListField(required=False, label=_("Usulan dipilih"))
    semua_halaman = forms.BooleanField(required=False, label=_("Pilih semua usulan di halaman ini"))
    halaman_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(label=_("Nomor dokumen"), max_length=100)
    document_date = forms.DateField(label=_("Tanggal dokumen"), widget=NativeDateInput())

    def clean_document_date(self):
        return _not_in_future(self.cleaned_data["document_date"], _("Tanggal dokumen tidak boleh di masa depan."))

    def clean_halaman_ids(self):
        raw = self.cleaned_data.get("halaman_ids", "")
        return [int(x) for x in raw.split(",") if x.strip().isdigit()]

    def clean(self):
        cleaned = super().clean()
        ids = set(cleaned.get("usulan") or [])
        if cleaned.get("semua_halaman"):
            ids |= set(cleaned.get("halaman_ids") or [])
        if not ids:
            raise forms.ValidationError(_("Pilih minimal satu usulan."))
        if len(ids) > MAX_BATCH:
            raise forms.ValidationError(_("Paling banyak %(n)d usulan sekali proses.") % {"n": MAX_BATCH})
        cleaned["ids"] = sorted(ids)
        return cleaned


class RegencyDecreeForm(_BatchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].label = _("Nomor SK bupati/wali kota")
        self.fields["document_date"].label = _("Tanggal SK")


class ProvinceLetterForm(_BatchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].label = _("Nomor surat pengantar")
        self.fields["document_date"].label = _("Tanggal surat")


PERIOD_RE = re.compile(r"^\d{4}-(Q[1-4]|S[12]|(0[1-9]|1[0-2]))$")


class DeterminationForm(_BatchForm):
    DETERMINE = "tetapkan"
    REJECT = "tolak"

    action = forms.ChoiceField(
        choices=[(DETERMINE, _("Tetapkan")), (REJECT, _("Tidak ditetapkan"))], widget=forms.HiddenInput
    )
    period = forms.CharField(
        label=_("Periode penetapan"), max_length=20, help_text=_("Mis. 2026-Q4 (triwulan), 2026-S2, atau 2026-11.")
    )
    reason = forms.CharField(
        label=_("Alasan tidak ditetapkan"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila memilih “Tidak ditetapkan”; sama untuk semua usulan yang dipilih."),
    )
    field_order = ["period", "number", "document_date", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].label = _("Nomor keputusan penetapan")
        self.fields["document_date"].label = _("Tanggal keputusan")

    def clean_period(self):
        value = self.cleaned_data["period"].strip().upper()
        if not PERIOD_RE.match(value):
            raise forms.ValidationError(_("Tulis periode seperti 2026-Q4, 2026-S2, atau 2026-11."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Tuliskan alasan usulan tidak ditetapkan."))
        return cleaned
