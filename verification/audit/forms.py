"""The register audit's upload form."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registrations.forms.clean import CleanInputMixin
from verification.uploads.forms import max_upload_bytes


class AuditUploadForm(CleanInputMixin, forms.Form):
    """An extract to audit, and the column that names its rows in the report."""

    file = forms.FileField(
        label=gettext_lazy("Berkas register (CSV atau Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    id_column = forms.CharField(
        label=gettext_lazy("Kolom pengenal baris"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Nama kolom yang mengenali tiap baris di laporan (mis. id). Kosongkan bila tidak ada."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(_("Berkas terlalu besar; bagi berkas per wilayah."), code="too_large")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Berkas harus .csv atau .xlsx."), code="kind")
        return upload
