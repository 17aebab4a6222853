"""The eligibility landing page: what each role can do here."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from registrations.permissions import may, user_may

from ..models import DeterminationRun, ScoreModel, ScoringRun


@never_cache
@may("eligibility.read")
def home(request):
    ministry = user_may(request.user, "eligibility.manage")
    context = {"ministry": ministry, "active": ScoreModel.objects.active()}
    if ministry:
        context["scoring_runs"] = ScoringRun.objects.select_related("model")[:3]
        context["determination_runs"] = DeterminationRun.objects.select_related("programme")[:5]
    return render(request, "eligibility/home.html", context)
