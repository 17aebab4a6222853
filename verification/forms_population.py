"""The population upload form with its "jenis berkas" choice: records or events.

Kept apart from ``verification/forms.py`` (the record upload's checks stay there); this
form adds the choice and checks an events file's header with the events parser.
"""

from django import forms
from django.utils.translation import gettext_lazy

from verification.forms import _SNIFF_BYTES, PopulationUploadForm
from verification.services.population import JobKind, PopulationImportError
from verification.services.population_events import parse_header as parse_events_header


class PopulationUploadKindForm(PopulationUploadForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis berkas"),
        choices=[
            (JobKind.RECORDS, gettext_lazy("Data penduduk (satu baris per NIK)")),
            (JobKind.EVENTS, gettext_lazy("Peristiwa kependudukan (kelahiran, kematian, pindah, perubahan KK)")),
        ],
        initial=JobKind.RECORDS,
        required=False,  # absent (older clients, scripts): a records file
        widget=forms.RadioSelect,
    )
    field_order = ["kind", "file"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or JobKind.RECORDS

    def clean_file(self):
        if self.cleaned_data.get("kind") != JobKind.EVENTS:
            return super().clean_file()
        try:
            upload = super().clean_file()
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) != "columns":
                raise
            upload = self.cleaned_data["file"]  # the records header check does not apply
        upload.seek(0)
        head = upload.read(_SNIFF_BYTES)
        upload.seek(0)
        header = head.decode("utf-8", "replace").lstrip("\ufeff").partition("\n")[0]
        try:
            parse_events_header(header.rstrip("\r"))
        except PopulationImportError as exc:
            raise forms.ValidationError(exc.message, code="columns") from None
        return upload
