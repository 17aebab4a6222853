"""Score model versions: view, copy into a new draft, edit weights, activate."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from registrations.models import Region, RegionLevel
from registrations.permissions import may

from .. import services
from ..errors import RunRefused
from ..forms import ModelWeightsForm, OverrideForm
from ..models import ScoreModel, ScoringRun
from ..runs import scoring_start
from ..variables import VARIABLES


@never_cache
@may("eligibility.manage")
def model_list(request):
    models = ScoreModel.objects.select_related("created_by", "based_on").order_by("-version")
    return render(request, "eligibility/model_list.html", {"models": models})


def _weight_table(model: ScoreModel):
    national = {}
    overrides = defaultdict(list)
    for w in model.weights.all():
        if w.province_code:
            overrides[w.variable].append(w)
        else:
            national[w.variable] = w.weight
    names = dict(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", "name"))
    rows = []
    for v in VARIABLES:
        rows.append(
            {
                "variable": v,
                "weight": national.get(v.code, 0),
                "overrides": [
                    {
                        "id": w.pk,
                        "province": w.province_code,
                        "name": names.get(w.province_code, ""),
                        "weight": w.weight,
                    }
                    for w in sorted(overrides[v.code], key=lambda w: w.province_code)
                ],
            }
        )
    return rows


@never_cache
@may("eligibility.manage")
def model_detail(request, version: int):
    model = get_object_or_404(
        ScoreModel.objects.select_related("created_by", "activated_by", "based_on"), version=version
    )
    running = ScoringRun.objects.filter(model=model, status="running").first()
    return render(
        request,
        "eligibility/model_detail.html",
        {"model": model, "rows": _weight_table(model), "running": running},
    )


@require_POST
@may("eligibility.manage")
def model_copy(request, version: int):
    source = get_object_or_404(ScoreModel, version=version)
    model = services.model_copy(source=source, user=request.user)
    messages.success(
        request,
        _("Model v%(new)s dibuat dari v%(old)s. Ubah bobotnya, lalu aktifkan.")
        % {"new": model.version, "old": source.version},
    )
    return redirect("eligibility-model-weights", version=model.version)


@never_cache
@may("eligibility.manage")
def model_weights(request, version: int):
    model = get_object_or_404(ScoreModel, version=version)
    if not model.is_draft:
        messages.warning(request, _("Hanya model draf yang dapat diubah; salin model ini menjadi versi baru."))
        return redirect("eligibility-model-detail", version=model.version)
    form = ModelWeightsForm(model=model)
    override_form = OverrideForm()
    if request.method == "POST":
        action = request.POST.get("aksi", "simpan")
        try:
            if action == "hapus-override":
                services.override_delete(model=model, weight_id=int(request.POST.get("bobot", 0) or 0))
                messages.success(request, _("Bobot provinsi dihapus."))
                return redirect("eligibility-model-weights", version=model.version)
            if action == "tambah-override":
                override_form = OverrideForm(request.POST)
                if override_form.is_valid():
                    services.override_save(
                        model=model,
                        variable=override_form.cleaned_data["variable"],
                        province_code=override_form.cleaned_data["province"].code,
                        weight=override_form.cleaned_data["weight"],
                    )
                    messages.success(request, _("Bobot provinsi disimpan."))
                    return redirect("eligibility-model-weights", version=model.version)
            else:
                form = ModelWeightsForm(request.POST, model=model)
                if form.is_valid():
                    services.national_weights_save(
                        model=model,
                        weights=form.weights(),
                        name=form.cleaned_data["name"],
                        notes=form.cleaned_data["notes"],
                    )
                    messages.success(request, _("Bobot nasional disimpan."))
                    return redirect("eligibility-model-detail", version=model.version)
        except (services.NotEditable, ValidationError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return redirect("eligibility-model-detail", version=model.version)
    return render(
        request,
        "eligibility/model_weights.html",
        {"model": model, "form": form, "override_form": override_form, "rows": _weight_table(model)},
    )


@require_POST
@may("eligibility.manage")
def model_activate(request, version: int):
    model = get_object_or_404(ScoreModel, version=version)
    try:
        run, started = scoring_start(model=model, user=request.user, activate=True)
    except RunRefused as exc:
        messages.error(request, str(exc))
        return redirect("eligibility-model-detail", version=model.version)
    if not started:
        messages.warning(request, _("Penghitungan skor lain sedang berjalan; model belum diaktifkan."))
    else:
        messages.info(
            request,
            _("Skor seluruh rumah tangga sedang dihitung dengan v%(v)s; model aktif setelah selesai.")
            % {"v": model.version},
        )
    return redirect("eligibility-scoring-run", pk=run.pk)
