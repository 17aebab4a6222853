import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registrations.forms.clean import CleanInputMixin
from registrations.forms.photos import PHOTO_ACCEPT
from registrations.models import IdentityDocumentKind, Sex, User
from registrations.nik import parse_nik, validate_kk_number
from registrations.services.residents import SignUpData
from registrations.tasks import send_email_soon
from registrations.widgets import NativeDateInput

from .regions import RegionPickerField

phone_validator = RegexValidator(r"^(\+62|62|0)8[0-9]{7,12}$", _("Nomor HP Indonesia, mis. 081234567890."))
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _digits(value: str, message) -> str:
    value = re.sub(r"[\s.-]", "", value or "")
    if not re.fullmatch(r"\d{16}", value):
        raise ValidationError(message)
    return value


def clean_person_name(value: str) -> str:
    """A name as on the KTP: collapse spaces, refuse control characters and markup."""
    value = " ".join((value or "").split())
    if _CONTROL_CHARS.search(value) or re.search(r"[<>{}\\]", value):
        raise ValidationError(_("Nama hanya boleh berisi huruf, spasi, titik, koma, apostrof, dan tanda hubung."))
    if not re.search(r"[A-Za-z]", value):
        raise ValidationError(_("Nama harus berisi huruf."))
    return value


class QueuedPasswordResetForm(CleanInputMixin, PasswordResetForm):
    """Sends the reset e-mail from a Celery worker, after the request commits.

    Django's form already answers the same way whether or not the address has an
    account, so the page does not reveal who is registered.
    """

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: send_email_soon(subject=subject, body=body, recipient_list=[to_email]))


class ResidentSignUpForm(CleanInputMixin, forms.Form):
    """Sign-up as on the KK and KTP. Numbers are checked here for field messages; the
    service checks them again, because the API reaches it without this form."""

    def sign_up_data(self) -> SignUpData:
        """What the sign-up service takes, from the cleaned fields (page and API alike)."""
        c = self.cleaned_data
        return SignUpData(
            nik=c["nik"],
            kk_number=c["kk_number"],
            full_name=c["full_name"],
            birth_date=c["birth_date"],
            sex=c["sex"],
            village=c["village"],
            email=c["email"],
            phone=c["phone"],
            password=c["password1"],
        )

    nik = forms.CharField(
        label="NIK",
        min_length=16,
        max_length=16,
        help_text=_("16 digit, sesuai KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk_number = forms.CharField(
        label=_("Nomor KK"), min_length=16, max_length=16, help_text=_("16 digit, sesuai Kartu Keluarga.")
    )
    full_name = forms.CharField(label=_("Nama lengkap sesuai KTP"), max_length=120)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=NativeDateInput())
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=Sex.choices, widget=forms.RadioSelect)
    village = RegionPickerField(label=_("Desa/kelurahan domisili"))
    email = forms.EmailField(label=_("E-mail"), help_text=_("Tautan aktivasi dikirim ke alamat ini."))
    phone = forms.CharField(
        label=_("Nomor HP"), max_length=20, validators=[phone_validator], widget=forms.TextInput(attrs={"type": "tel"})
    )
    password1 = forms.CharField(label=_("Kata sandi"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Ulangi kata sandi"), widget=forms.PasswordInput, strip=False)
    ktp_photo = forms.FileField(
        label=_("Foto KTP"),
        help_text=_("Foto KTP mendatar, seluruh kartu terlihat dan tulisan terbaca. JPG, PNG, atau HEIC, maks. 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    selfie_photo = forms.FileField(
        label=_("Swafoto memegang KTP"),
        help_text=_("Wajah dan KTP terlihat jelas dalam satu foto."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "user"}),
    )

    def clean_nik(self):
        return _digits(self.cleaned_data["nik"], _("NIK harus 16 digit angka."))

    def clean_kk_number(self):
        return _digits(self.cleaned_data["kk_number"], _("Nomor KK harus 16 digit angka."))

    def clean_full_name(self):
        return clean_person_name(self.cleaned_data["full_name"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif cleaned.get("password1"):
            user = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(cleaned["password1"], user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        if all(cleaned.get(f) for f in ("nik", "birth_date", "sex")):
            check = parse_nik(cleaned["nik"], birth_date=cleaned["birth_date"], sex=cleaned["sex"])
            for error in check.errors:
                self.add_error("nik", error)
        if cleaned.get("kk_number"):
            try:
                validate_kk_number(cleaned["kk_number"])
            except ValidationError as exc:
                self.add_error("kk_number", exc)
        return cleaned


class IdentityPhotoForm(CleanInputMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Foto yang diganti"), choices=IdentityDocumentKind.choices)
    photo = forms.FileField(label=_("Foto baru"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class IdentityReviewForm(CleanInputMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[("confirm", _("Konfirmasi identitas")), ("reject", _("Tolak, minta unggah ulang"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib bila ditolak: sebutkan apa yang harus diperbaiki warga."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Tuliskan alasan penolakan."))
        return cleaned
