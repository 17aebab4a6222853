"""``{% captcha_field captcha errors=… oob=… %}``: the captcha block of the public pages.

The block differs between answers only by the captcha's key (in the hidden input and the
image and audio URLs), so without errors it is rendered from
``lookup/partials/captcha_field.html`` once per worker, language and variant, and each
answer fills its key in: the block is on every search answer, and its half-dozen
translated strings cost more than the search. With errors (rare) it renders afresh.
"""

from functools import lru_cache

from captcha.conf import settings as captcha_settings
from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..captcha import PLACEHOLDER_KEY, Captcha

register = template.Library()
TEMPLATE = "lookup/partials/captcha_field.html"


@register.simple_tag
def captcha_field(captcha: Captcha, errors=None, oob: bool = False) -> str:
    if errors or settings.DEBUG:  # DEBUG: template edits show without a restart
        return render_to_string(TEMPLATE, {"captcha": captcha, "errors": errors, "oob": oob})
    blank = _blank(get_language(), bool(oob), captcha_settings.CAPTCHA_FLITE_PATH)
    return mark_safe(blank.replace(PLACEHOLDER_KEY, captcha.key))  # noqa: S308 - keys are hex


@lru_cache(maxsize=32)
def _blank(_language: str, oob: bool, _audio: str | None) -> str:
    """The block around a placeholder key, in the active language."""
    return render_to_string(TEMPLATE, {"captcha": Captcha(key=PLACEHOLDER_KEY), "oob": oob})
