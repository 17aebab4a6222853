"""Public pages, no login: cek bansos (region + name + captcha) and tracking a proposal.

Every search costs a captcha and counts against the client's and the name's rate
limits. Answers never cache (they hold a fresh captcha), and hold only masked names,
statuses, desil and programme outcomes (``lookup.selectors.PublicPerson``).
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registrations.models import Region

from ..captcha import new_captcha
from ..forms import LookupForm, TrackingForm
from ..models import LookupEntry
from ..selectors import lookup_search, name_key_or_none, not_found_reasons, tracking_lookup
from ..services import pick_token, resident_village
from ..templatetags.lookup_captcha import captcha_field
from .limits import ip_limited, name_limited, too_many_requests


def render_results(context: dict) -> SafeString:
    """The results fragment, rendered by Jinja2 (``lookup/jinja2/lookup/results.html``,
    autoescaped, no context processors): it is on every search answer, and Django's
    engine took longer to render it than the search took to run."""
    return mark_safe(engines["jinja2"].get_template("lookup/results.html").render(context))  # noqa: S308


def _pick_tokens(request, village_code: str, people) -> dict[int, str]:
    """Sanggah links, only for a confirmed resident searching their own village."""
    if not people or resident_village(request.user) != village_code:
        return {}
    entries = LookupEntry.objects.filter(pk__in=[p.entry_id for p in people], village_code=village_code)
    return {e.pk: pick_token(e) for e in entries}


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_page(request):
    context = {"searched": False}
    if request.method == "POST":
        if ip_limited(request, "search"):
            return too_many_requests(request, reason=_("Terlalu banyak pencarian dari alamat Anda."))
        form = LookupForm(request.POST)
        if form.is_valid():
            village = form.cleaned_data["village"]
            name = form.cleaned_data["name"]
            key = name_key_or_none(name)
            if name_limited(request, village_code=village.code, name_key=key):
                return too_many_requests(request, reason=_("Nama ini sudah terlalu sering dicari di desa ini."))
            outcome = lookup_search(village_code=village.code, name_key=key)
            people = outcome.people
            tokens = _pick_tokens(request, village.code, people)
            results = render_results(
                {
                    "outcome": outcome,
                    "people": [(p, tokens.get(p.entry_id)) for p in people],
                    "village": village,
                    "reasons": not_found_reasons() if not (people or outcome.too_many) else (),
                }
            )
            captcha = form.next_captcha()
            if request.htmx:
                # The form stays on the page: only the results and a new captcha travel.
                return HttpResponse(f"{results}\n{captcha_field(captcha, oob=True)}")
            context |= {"searched": True, "results": results, "captcha": captcha}
            # A fresh form for the next search, keeping the village and the name.
            form = LookupForm(initial={"village": village.code, "name": name})
    else:
        form = LookupForm()
    context["form"] = form
    if "captcha" not in context:
        context["captcha"] = form.next_captcha()
    if not request.htmx:
        return render(request, "lookup/lookup.html", context)
    response = render(request, "lookup/partials/lookup_answer.html", context)
    response["HX-Retarget"] = "#cek-bansos"  # errors are shown inside the form itself
    return response


@never_cache
@require_GET
def captcha_new(request):
    """A new captcha (image, hidden key and empty answer), swapped in by htmx."""
    return HttpResponse(captcha_field(new_captcha()))


@never_cache
@require_http_methods(["GET", "POST"])
def tracking_page(request):
    context = {"searched": False}
    if request.method == "POST":
        if ip_limited(request, "tracking"):
            return too_many_requests(request, reason=_("Terlalu banyak pencarian dari alamat Anda."))
        form = TrackingForm(request.POST)
        valid = form.is_valid()
        context["captcha"] = form.next_captcha()
        if valid:
            tracking = tracking_lookup(
                tracking_number=form.cleaned_data["tracking_number"], birth_date=form.cleaned_data["birth_date"]
            )
            context |= {"searched": True, "tracking": tracking}
            form = TrackingForm()
    else:
        form = TrackingForm()
    context["form"] = form
    if "captcha" not in context:
        context["captcha"] = form.next_captcha()
    return render(request, "lookup/tracking.html", context)


@require_GET
def floor(request, code: str):
    """One indexed primary-key query and a tiny answer: the framework floor for
    ``bench/lookup.py``. Exists only when the bench sets ``LOOKUP_BENCH``."""
    if not settings.LOOKUP_BENCH:
        raise Http404
    name = Region.objects.filter(pk=code).values_list("name", flat=True).first()
    return HttpResponse(name or "-", content_type="text/plain")
