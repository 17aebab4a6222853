"""Forms of the "Daftar Usulan" steps. Services check the rules again; forms give
field-level messages and keep malformed input out."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.forms.photos import PHOTO_ACCEPT
from registrations.models import (
    Disability,
    Education,
    MaritalStatus,
    Occupation,
    ProgrammeCode,
    Proposal,
    ProposalDocumentKind,
    ProposalKind,
    Relation,
    Sex,
    UpdateReason,
)
from registrations.nik import parse_nik
from registrations.services.proposals import CONDITION_FIELDS
from registrations.widgets import NativeDateInput

from .accounts import _digits, clean_person_name, phone_validator
from .regions import RegionPickerField


class ProposalStartForm(CleanInputMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis usulan"), choices=ProposalKind.choices, widget=forms.RadioSelect, initial=ProposalKind.NEW
    )
    update_reason = forms.ChoiceField(
        label=_("Alasan perubahan (untuk perubahan data)"), choices=[("", "—"), *UpdateReason.choices], required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ProposalKind.UPDATE and not cleaned.get("update_reason"):
            self.add_error("update_reason", _("Pilih alasan perubahan data."))
        return cleaned


class HouseholdStepForm(CleanInputMixin, forms.Form):
    kk_number = forms.CharField(label=_("Nomor KK"), min_length=16, max_length=16)
    village = RegionPickerField(label=_("Desa/kelurahan"))
    address = forms.CharField(label=_("Alamat (jalan, nomor rumah, dusun/kampung)"), max_length=200)
    rt = forms.RegexField(
        label="RT", regex=r"^\d{1,3}$", max_length=3, error_messages={"invalid": _("RT berupa angka, mis. 003.")}
    )
    rw = forms.RegexField(
        label="RW", regex=r"^\d{1,3}$", max_length=3, error_messages={"invalid": _("RW berupa angka, mis. 007.")}
    )
    phone = forms.CharField(
        label=_("Nomor HP yang dapat dihubungi"), max_length=20, required=False, validators=[phone_validator]
    )

    def clean_kk_number(self):
        return _digits(self.cleaned_data["kk_number"], _("Nomor KK harus 16 digit angka."))

    def clean_address(self):
        return " ".join(self.cleaned_data["address"].split())

    def clean_rt(self):
        return self.cleaned_data["rt"].zfill(3)

    def clean_rw(self):
        return self.cleaned_data["rw"].zfill(3)


def _blank(choices) -> list:
    """A "choose" first option, so an untouched blank row in the formset stays unchanged."""
    return [("", "—"), *choices.choices]


class MemberForm(CleanInputMixin, forms.Form):
    nik = forms.CharField(label="NIK", min_length=16, max_length=16)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    relation = forms.ChoiceField(label=_("Hubungan dengan kepala keluarga"), choices=_blank(Relation))
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=80)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=NativeDateInput())
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=_blank(Sex))
    marital_status = forms.ChoiceField(label=_("Status perkawinan"), choices=_blank(MaritalStatus))
    education = forms.ChoiceField(label=_("Pendidikan terakhir"), choices=_blank(Education))
    occupation = forms.ChoiceField(label=_("Pekerjaan"), choices=_blank(Occupation))
    disability = forms.ChoiceField(label=_("Disabilitas"), choices=Disability.choices, initial=Disability.NONE)
    pregnant = forms.BooleanField(label=_("Sedang hamil"), required=False)

    def clean_nik(self):
        return _digits(self.cleaned_data["nik"], _("NIK harus 16 digit angka."))

    def clean_full_name(self):
        return clean_person_name(self.cleaned_data["full_name"])

    def clean_birth_place(self):
        return clean_person_name(self.cleaned_data["birth_place"])

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."))
        if value.year < 1900:
            raise forms.ValidationError(_("Tanggal lahir tidak masuk akal."))
        return value

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(f) for f in ("nik", "birth_date", "sex")):
            for error in parse_nik(cleaned["nik"], birth_date=cleaned["birth_date"], sex=cleaned["sex"]).errors:
                self.add_error("nik", error)
        if cleaned.get("pregnant") and cleaned.get("sex") != Sex.FEMALE:
            self.add_error("pregnant", _("Hanya perempuan yang dapat ditandai hamil."))
        return cleaned


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        heads = sum(1 for r in rows if r["relation"] == Relation.HEAD)
        if heads != 1:
            raise forms.ValidationError(_("Harus ada tepat satu kepala keluarga."))
        niks = [r["nik"] for r in rows]
        if len(niks) != len(set(niks)):
            raise forms.ValidationError(_("Ada NIK yang tercantum lebih dari sekali."))

    def members(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
    min_num=1,
    validate_min=True,
)


class ConditionsForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = Proposal
        fields = list(CONDITION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor_area_m2"].required = True
        self.fields["monthly_income"].required = True
        self.fields["floor_area_m2"].help_text = _("Perkiraan luas seluruh lantai rumah yang ditempati.")
        self.fields["monthly_income"].help_text = _("Perkiraan penghasilan seluruh anggota per bulan, dalam rupiah.")


class ProgrammesForm(CleanInputMixin, forms.Form):
    programmes = forms.MultipleChoiceField(
        label=_("Program bantuan yang diusulkan"), choices=ProgrammeCode.choices, widget=forms.CheckboxSelectMultiple
    )
    statement = forms.CharField(
        label=_("Keterangan tambahan (opsional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(CleanInputMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=ProposalDocumentKind.choices)
    file = forms.FileField(
        label=_("Foto/pindaian"),
        help_text=_("JPG, PNG, atau HEIC, maks. 10 MB. Foto dari kamera ponsel bisa langsung diunggah."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )


class ReasonForm(CleanInputMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
