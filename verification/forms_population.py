"""The population upload form with its "jenis berkas" choice: records or events.

Kept apart from ``verification/forms.py`` (the record upload's checks stay there); this
form adds the choice and reads an events file's header with the events parser.
"""

from django import forms
from django.utils.translation import gettext_lazy

from verification.forms import PopulationUploadForm
from verification.services.population import JobKind
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

    def parse_header(self, line: str):
        if self.cleaned_data.get("kind") == JobKind.EVENTS:
            return parse_events_header(line)
        return super().parse_header(line)
