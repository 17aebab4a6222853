"""The population upload form: a CSV of records or of events ("jenis berkas"), checked
before it is stored (size, not Excel/PDF/binary, UTF-8, a header the file's kind accepts)."""

import codecs

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registrations.forms.clean import CleanInputMixin
from verification.errors import PopulationImportError
from verification.population.columns import parse_header
from verification.population.event_rows import parse_header as parse_events_header
from verification.population.jobs import JobKind
from verification.uploads.forms import max_upload_bytes

_SNIFF_BYTES = 64 * 1024
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "xlsx",  # zip: .xlsx, .ods, .zip
    b"\xd0\xcf\x11\xe0": "xls",  # OLE: old .xls
    b"%PDF": "pdf",
}


class PopulationUploadForm(CleanInputMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas CSV data kependudukan"),
        help_text=gettext_lazy("Teks CSV UTF-8 dengan baris judul (header); maksimal %(size)s."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"size": filesizeformat(max_upload_bytes())}

    def parse_header(self, line: str):
        """The header check of the file's kind (a subclass may take other files)."""
        return parse_header(line)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)s); batasnya %(max)s. Bagi berkas per wilayah.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(max_upload_bytes())},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(_SNIFF_BYTES)
        upload.seek(0)
        for signature, kind in _BINARY_SIGNATURES.items():
            if head.startswith(signature):
                message = (
                    _("Berkas Excel tidak diterima. Buka di Excel, lalu Simpan Sebagai “CSV UTF-8”.")
                    if kind in ("xlsx", "xls")
                    else _("Berkas ini bukan CSV, melainkan %(kind)s.") % {"kind": kind.upper()}
                )
                raise forms.ValidationError(message, code="not_csv")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Berkas harus berakhiran .csv (teks CSV)."), code="not_csv")
        if not head.strip():
            raise forms.ValidationError(_("Berkas kosong."), code="empty")
        if b"\x00" in head:
            raise forms.ValidationError(_("Berkas ini bukan teks CSV (berisi data biner)."), code="not_csv")
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Berkas harus berupa teks UTF-8. Di Excel, pilih Simpan Sebagai “CSV UTF-8”."),
                code="not_utf8",
            ) from None
        header, newline, _rest = text.lstrip("\ufeff").partition("\n")
        if not newline and len(head) == _SNIFF_BYTES:
            raise forms.ValidationError(_("Baris judul (header) CSV tidak ditemukan."), code="no_header")
        try:
            self.parse_header(header.rstrip("\r"))
        except PopulationImportError as exc:
            raise forms.ValidationError(exc.message, code="columns") from None
        return upload


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
