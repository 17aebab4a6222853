"""The eligibility landing page: what each role can do here."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..models import DeterminationRun, ScoreModel, ScoringRun
from .common import MINISTRY_ROLES, READER_ROLES, has_role, roles_required


@never_cache
@roles_required(READER_ROLES)
def home(request):
    ministry = has_role(request.user, MINISTRY_ROLES)
    context = {"ministry": ministry, "active": ScoreModel.objects.active()}
    if ministry:
        context["scoring_runs"] = ScoringRun.objects.select_related("model")[:3]
        context["determination_runs"] = DeterminationRun.objects.select_related("programme")[:5]
    return render(request, "eligibility/home.html", context)
