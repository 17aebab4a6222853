"""Staff pages over households, always narrowed to the user's region."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from registrations.models import Region
from registrations.permissions import may
from registrations.scoping import get_scoped_object_or_404, region_scope
from registrations.selectors import household_queryset, households_for_user

PAGE_SIZE = 25


@never_cache
@may("staff")
def household_list(request):
    households = households_for_user(request.user)
    villages = Region.objects.villages().filter(households__in=households).distinct().order_by("code")
    village = request.GET.get("desa", "")
    if village:
        households = households.filter(village_id=village)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "registrations/household_list.html",
        {"page": page, "villages": villages, "village": village, "scope": region_scope(request.user)},
    )


@never_cache
@may("staff")
def household_detail(request, pk: int):
    household = get_scoped_object_or_404(household_queryset(), request.user, pk=pk)
    return render(request, "registrations/household_detail.html", {"household": household})
