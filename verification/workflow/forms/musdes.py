from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.widgets import NativeDateInput
from verification.models import DeliberationBasis, Outcome


class DeliberationOpenForm(CleanInputMixin, forms.Form):
    basis = forms.ChoiceField(
        label=_("Dasar"), choices=DeliberationBasis.choices, widget=forms.RadioSelect, initial="musdes"
    )
    held_on = forms.DateField(label=_("Tanggal"), widget=NativeDateInput())
    place = forms.CharField(label=_("Tempat"), max_length=200)
    chair = forms.CharField(label=_("Nama pimpinan / penanda tangan"), max_length=120)
    chair_position = forms.CharField(label=_("Jabatan"), max_length=80, initial="Kepala Desa")
    notes = forms.CharField(
        label=_("Catatan (untuk SPTJM: alasan musyawarah tidak dapat diadakan)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal musyawarah tidak boleh di masa depan."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("basis") == DeliberationBasis.SPTJM and not cleaned.get("notes", "").strip():
            self.add_error("notes", _("Tuliskan alasan musyawarah tidak dapat diadakan."))
        return cleaned


class AttendeeForm(CleanInputMixin, forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120)
    position = forms.CharField(
        label=_("Jabatan/unsur"),
        max_length=120,
        help_text=_("Mis. Ketua BPD, Ketua RT 03, pendamping PKH, tokoh masyarakat."),
    )
    signs = forms.BooleanField(label=_("Ikut menandatangani berita acara"), required=False)


class OutcomeForm(CleanInputMixin, forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Hasil"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=1000)


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=0)


class SignedScanForm(CleanInputMixin, forms.Form):
    scan = forms.FileField(
        label=_("Foto/pindaian berita acara yang sudah ditandatangani"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif"}),
    )
