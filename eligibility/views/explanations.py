"""Why a household has its score, desil and programme outcomes, in plain Indonesian.

Staff see any household in their region (others answer 404, like missing ones); a
resident sees only the registered household whose KK number matches their confirmed
profile.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from registrations.models import Household
from registrations.permissions import may
from registrations.scoping import get_scoped_object_or_404

from ..selectors import explanation, resident_household
from ..variables import VARIABLE_BY_CODE


def _context(household):
    data = explanation(household)
    total = sum(c.amount for c in data.contributions)
    largest = max([abs(c.amount) for c in data.contributions] + [1e-9])
    for c in data.contributions:
        c.bar = round(100 * abs(c.amount) / largest, 1)
    return {"x": data, "household": household, "total": total, "variables": VARIABLE_BY_CODE}


@never_cache
@may("staff")
def household_explanation(request, pk: int):
    household = get_scoped_object_or_404(
        Household.objects.select_related("village__parent__parent"), request.user, pk=pk
    )
    return render(request, "eligibility/explanation.html", {**_context(household), "staff": True})


@never_cache
def my_household(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    household = resident_household(request.user)
    if household is None:
        return render(request, "eligibility/my_household_missing.html", status=200)
    return render(request, "eligibility/explanation.html", {**_context(household), "staff": False})
