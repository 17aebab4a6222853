"""The Jinja2 environment of the ``jinja2`` template engine (``settings.TEMPLATES``).

Django's own engine renders every page; Jinja2 renders only the few fragments on a hot
path whose cost in Django's engine showed in a benchmark (the lookup's results, see
docs/lookup.md "Benchmark"), from ``<app>/jinja2/``. Autoescaping is on (the backend's
default). ``_`` is Django's ``gettext``, so ``manage.py makemessages`` extracts
``{{ _("…") }}`` from these .html files like any other string and the compiled catalogues
translate them; ``url`` is ``django.urls.reverse``.

A render looks each message up once per process and language rather than once per use
(Django's ``gettext`` costs a few microseconds a call, and a fragment uses a dozen); with
``DEBUG`` it calls ``gettext`` every time, so edited catalogues show at once.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, gettext
from jinja2 import Environment, Template


class _Catalogue(dict):
    """One language's messages, as the templates asked for them."""

    def __missing__(self, message: str) -> str:
        self[message] = translated = gettext(message)
        return translated


_catalogues: dict[str | None, _Catalogue] = {}


def _translator():
    if settings.DEBUG:
        return gettext
    language = get_language()
    catalogue = _catalogues.get(language)
    if catalogue is None:
        catalogue = _catalogues.setdefault(language, _Catalogue())
    return catalogue.__getitem__


class _TranslatingTemplate(Template):
    """Binds ``_`` to the active language's catalogue for one render (an include shares it)."""

    def new_context(self, vars=None, shared=False, locals=None):
        if vars is None or "_" not in vars:
            vars = {**(vars or {}), "_": _translator()}
        return super().new_context(vars, shared, locals)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's backend passes autoescape=True
    env.template_class = _TranslatingTemplate
    env.globals["url"] = reverse  # ``_`` comes with each render (above)
    return env
