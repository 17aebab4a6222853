from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.models import Region
from registrations.models.regions import RegionLevel
from registrations.widgets import RegionPickerWidget


class RegionPickerField(forms.ModelChoiceField):
    """A village (or other level) chosen through the cascading region picker.

    Validation is by the submitted code alone; the picker's selects only help
    people find it.
    """

    def __init__(self, *, level: int = RegionLevel.VILLAGE, **kwargs):
        self.level = level
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", RegionPickerWidget(target_level=level))
        kwargs.setdefault("error_messages", {"invalid_choice": _("Pilih wilayah sampai tingkat desa/kelurahan.")})
        super().__init__(queryset=Region.objects.filter(level=level), **kwargs)
