"""The cascading region picker: province → regency → district → village.

Every form that needs a place uses ``RegionPickerField`` (``registrations.forms``).
Each level is a ``<select>``; choosing one asks ``region-options`` (htmx) for the
next level's options and empties the levels below. Only the deepest select carries
the field's own name, so the form receives one region code.
"""

from django import forms
from django.urls import reverse

from registrations.models import Region
from registrations.models.regions import RegionLevel


def level_input_name(name: str, level: int, target_level: int) -> str:
    return name if level == target_level else f"{name}__l{level}"


def level_input_id(base_id: str, level: int, target_level: int) -> str:
    return base_id if level == target_level else f"{base_id}_l{level}"


class RegionPickerWidget(forms.Widget):
    template_name = "registrations/widgets/region_picker.html"

    def __init__(self, attrs=None, *, target_level: int = RegionLevel.VILLAGE):
        super().__init__(attrs)
        self.target_level = target_level

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        selected = self._selected_codes(value)
        options_url = reverse("region-options")
        levels = []
        for level in range(1, self.target_level + 1):
            parent_code = None if level == 1 else selected.get(level - 1)
            if level == 1:
                options = list(Region.objects.filter(level=1).values_list("code", "name"))
            elif parent_code:
                options = list(Region.objects.filter(parent_id=parent_code).values_list("code", "name"))
            else:
                options = []
            levels.append(
                {
                    "level": level,
                    "label": RegionLevel(level).label,
                    "name": level_input_name(name, level, self.target_level),
                    "id": level_input_id(base_id, level, self.target_level),
                    "next_id": level_input_id(base_id, level + 1, self.target_level)
                    if level < self.target_level
                    else "",
                    "options": options,
                    "selected": selected.get(level, ""),
                    "is_last": level == self.target_level,
                    "required": self.is_required,
                }
            )
        context["widget"].update(
            {
                "levels": levels,
                "options_url": options_url,
                "field_name": name,
                "target_level": self.target_level,
                "base_id": base_id,
            }
        )
        return context

    @staticmethod
    def _selected_codes(value) -> dict[int, str]:
        code = value.code if isinstance(value, Region) else (str(value) if value else "")
        parts = code.split(".") if code else []
        return {i + 1: ".".join(parts[: i + 1]) for i in range(len(parts))}

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def use_required_attribute(self, initial):
        return False  # the deepest select carries ``required`` itself


class NativeDateInput(forms.DateInput):
    """The phone's own date picker. It only accepts ISO dates, whatever the locale:
    a saved date rendered as "03-02-1980" would show as an empty field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
