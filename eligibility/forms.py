"""Forms of the eligibility pages (crispy-forms, Bootstrap 5)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.models import Region, RegionLevel

from .models import Exclusion, MemberCondition, Programme
from .periods import period_choices, period_validator
from .variables import VARIABLE_CHOICES, VARIABLES

WEIGHT_LIMIT = Decimal("10000")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _weight_field(label, initial=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=4,
        min_value=-WEIGHT_LIMIT,
        max_value=WEIGHT_LIMIT,
        initial=initial,
        widget=forms.NumberInput(attrs={"step": "0.0001", "class": "text-end"}),
    )


class ModelWeightsForm(CleanInputMixin, forms.Form):
    """Name, notes and the national weight of every variable of a draft model."""

    name = forms.CharField(label=_("Nama model"), max_length=120)
    notes = forms.CharField(label=_("Catatan perubahan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        national = {w.variable: w.weight for w in model.weights.filter(province_code="")}
        self.fields["name"].initial = model.name
        self.fields["notes"].initial = model.notes
        for variable in VARIABLES:
            self.fields[f"w_{variable.code}"] = _weight_field(variable.label, national.get(variable.code, Decimal(0)))
            self.fields[f"w_{variable.code}"].help_text = variable.unit

    def weight_fields(self):
        return [self[f"w_{v.code}"] for v in VARIABLES]

    def weights(self) -> dict[str, Decimal]:
        return {v.code: self.cleaned_data[f"w_{v.code}"] for v in VARIABLES}


class OverrideForm(CleanInputMixin, forms.Form):
    variable = forms.ChoiceField(label=_("Variabel"), choices=VARIABLE_CHOICES)
    province = forms.ModelChoiceField(
        label=_("Provinsi"), queryset=Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
    )
    weight = _weight_field(_("Bobot di provinsi ini"))


class ProgrammeForm(CleanInputMixin, forms.ModelForm):
    requires_any = forms.MultipleChoiceField(
        label=_("Syarat anggota (salah satu cukup)"),
        choices=MemberCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclusions = forms.MultipleChoiceField(
        label=_("Pengecualian"), choices=Exclusion.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Programme
        fields = ["name", "description", "desil_ceiling", "requires_any", "exclusions", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def _period_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Periode"), choices=period_choices(timezone.localdate()), **kwargs)


class DeterminationForm(CleanInputMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Program"), queryset=Programme.objects.filter(active=True).order_by("id"), empty_label=None
    )
    period = forms.CharField(label=_("Periode"), validators=[period_validator], max_length=7)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"] = _period_field()


class OfficialImportForm(CleanInputMixin, forms.Form):
    period = forms.CharField(label=_("Periode data"), validators=[period_validator], max_length=7)
    file = forms.FileField(
        label=_("File desil (CSV)"),
        help_text=_("Baris judul wajib: no_kk dan desil; pemisah koma atau titik koma."),
        validators=[FileExtensionValidator(["csv", "txt"])],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"] = _period_field()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("File terlalu besar (paling besar 50 MB); pakai perintah import_official_desil.")
            )
        return upload
