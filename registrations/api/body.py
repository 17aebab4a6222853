"""Request bodies handed to Django forms: refuse anything that is not an object."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def form_body(request):
    """``request.data`` for a form; a JSON list, string or number answers 400, not 500.

    DRF serializers refuse such bodies themselves; Django forms call ``.get`` on them.
    (A form body is a ``QueryDict``, which is a ``dict``.)
    """
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Isi permintaan harus berupa objek JSON.")]})
    return request.data
