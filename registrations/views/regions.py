"""Public region pages: the picker's htmx endpoint and region search."""

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from registrations.models.regions import RegionLevel
from registrations.selectors import region_children, region_search
from registrations.widgets import level_input_id, level_input_name


@require_GET
@cache_control(public=True, max_age=3600)
def region_options(request):
    """``<option>``s for one level of a picker, and empty selects for the levels below.

    Query: ``field`` (the form field's name), ``id`` (its base element id), ``level``
    (the level to fill, 2-4) and ``target`` (the picker's deepest level); the parent's
    code arrives under the parent select's own name, as htmx sends it.
    """
    field = request.GET.get("field", "")
    base_id = request.GET.get("id", "")
    try:
        level = int(request.GET.get("level", ""))
        target = int(request.GET.get("target", RegionLevel.VILLAGE))
    except ValueError:
        return HttpResponseBadRequest("level dan target harus angka")
    if not field or not base_id or not (2 <= level <= target <= RegionLevel.VILLAGE):
        return HttpResponseBadRequest("parameter tidak lengkap")
    parent_code = request.GET.get(level_input_name(field, level - 1, target), "").strip()
    options = region_children(parent_code).values_list("code", "name") if parent_code else []
    below = [level_input_id(base_id, deeper, target) for deeper in range(level + 1, target + 1)]
    return render(
        request,
        "registrations/widgets/region_options.html",
        {"options": options, "placeholder": RegionLevel(level).label, "below": below},
    )


@require_GET
def region_search_page(request):
    """Find a region by name ("dayeuhkolot", "kota bandung") and see where it sits."""
    query = request.GET.get("q", "").strip()[:100]
    results = list(region_search(query)) if query else []
    context = {"query": query, "results": results, "levels": RegionLevel}
    template = "registrations/_region_search_results.html" if request.htmx else "registrations/region_search.html"
    return render(request, template, context)
