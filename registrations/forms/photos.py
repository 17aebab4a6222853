"""Photo inputs shared by every form that takes pictures (the safe upload path checks
them again on the server: ``registrations.uploads``)."""

from django import forms

#: What the phone's picker offers: the formats ``registrations.uploads`` accepts.
PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,image/heif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe for ``multiple``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(d, initial) for d in data]
        return [single_file_clean(data, initial)] if data else []
