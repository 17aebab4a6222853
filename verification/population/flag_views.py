"""Population-event flags: the staff list (filter by kind, open or resolved) and the
"tandai selesai" action.

Village operators see their village, Dinas Sosial their regency, ministry staff and
admins everything; other roles get 403 and residents never reach these pages. A flag
outside the user's region answers 404, like a missing one.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dtsen_portal.errors import DomainError
from registrations.permissions import may
from registrations.scoping import get_scoped_object_or_404
from verification.models import FlagKind, PopulationFlag
from verification.population.flags import flags_for, open_flag_counts, resolve_flag

PAGE_SIZE = 50
_STATES = {"terbuka": "open", "selesai": "resolved", "semua": "all"}


@never_cache
@may("population.flags")
def flag_list(request):
    kind = request.GET.get("jenis", "")
    state = request.GET.get("status", "terbuka")
    if state not in _STATES:
        state = "terbuka"
    flags = flags_for(request.user).select_related("event", "household", "proposal", "village", "resolved_by")
    if kind in FlagKind.values:
        flags = flags.filter(kind=kind)
    else:
        kind = ""
    if _STATES[state] == "open":
        flags = flags.filter(resolved_at__isnull=True)
    elif _STATES[state] == "resolved":
        flags = flags.filter(resolved_at__isnull=False)
    counts = open_flag_counts(request.user)
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "verification/flags/list.html",
        {
            "page": page,
            "kinds": FlagKind.choices,
            "kind": kind,
            "state": state,
            "open_counts": [(value, label, counts.get(value, 0)) for value, label in FlagKind.choices],
        },
    )


@require_POST
@may("population.flags")
def flag_resolve(request, pk: int):
    flag = get_scoped_object_or_404(PopulationFlag.objects.all(), request.user, pk=pk)
    try:
        resolve_flag(flag_id=flag.pk, user=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tanda ditandai selesai."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("population-flags")
    return redirect(target)
