"""Scoring and determination runs: start, watch (htmx progress bar), summary."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from registrations.models import Region
from registrations.permissions import may

from .. import services
from ..errors import RunRefused
from ..forms import DeterminationForm, OfficialImportForm
from ..models import DeterminationRun, OfficialDesilImport, RunStatus, ScoreModel, ScoringRun
from ..runs import determination_start, expire_stale_runs, scoring_start

RUNS_LISTED = 20


@never_cache
@may("eligibility.manage")
def scoring(request):
    """Runs so far; POST reruns the active model (new and changed households)."""
    active = ScoreModel.objects.active()
    if request.method == "POST":
        if active is None:
            messages.error(request, _("Belum ada model skor yang aktif."))
            return redirect("eligibility-scoring")
        try:
            run, started = scoring_start(model=active, user=request.user)
        except RunRefused as exc:
            messages.error(request, str(exc))
            return redirect("eligibility-scoring")
        if not started:
            messages.warning(request, _("Penghitungan skor sudah berjalan; tidak dimulai dua kali."))
        return redirect("eligibility-scoring-run", pk=run.pk)
    expire_stale_runs()
    runs = ScoringRun.objects.select_related("model", "triggered_by")[:RUNS_LISTED]
    imports = OfficialDesilImport.objects.select_related("imported_by")[:5]
    return render(request, "eligibility/scoring.html", {"active": active, "runs": runs, "imports": imports})


@never_cache
@may("eligibility.manage")
def scoring_run(request, pk: int):
    run = get_object_or_404(ScoringRun.objects.select_related("model", "triggered_by"), pk=pk)
    return render(request, "eligibility/scoring_run.html", {"run": run, "kind": "scoring"})


@never_cache
@may("eligibility.manage")
def scoring_progress(request, pk: int):
    run = get_object_or_404(ScoringRun.objects.select_related("model"), pk=pk)
    return render(request, "eligibility/_run_progress.html", {"run": run, "kind": "scoring"})


@never_cache
@may("eligibility.manage")
def official_import(request):
    form = OfficialImportForm()
    report = None
    if request.method == "POST":
        form = OfficialImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.official_import(
                    data=upload.read(), file_name=upload.name, period=form.cleaned_data["period"], user=request.user
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                record = report.record
                messages.success(
                    request,
                    _(
                        "%(saved)s desil resmi disimpan (%(matched)s cocok dengan KK terdaftar, "
                        "%(invalid)s baris ditolak)."
                    )
                    % {"saved": record.rows_saved, "matched": record.rows_matched, "invalid": record.rows_invalid},
                )
    imports = OfficialDesilImport.objects.select_related("imported_by")[:RUNS_LISTED]
    return render(request, "eligibility/official_import.html", {"form": form, "report": report, "imports": imports})


@never_cache
@may("eligibility.manage")
def determination(request):
    form = DeterminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run, started = determination_start(
                programme=form.cleaned_data["programme"], period=form.cleaned_data["period"], user=request.user
            )
        except RunRefused as exc:
            messages.error(request, str(exc))
            return redirect("eligibility-determination")
        if not started:
            messages.warning(request, _("Penetapan program dan periode ini sudah berjalan; tidak dimulai dua kali."))
        return redirect("eligibility-determination-run", pk=run.pk)
    expire_stale_runs()
    runs = DeterminationRun.objects.select_related("programme", "triggered_by", "score_model")[:RUNS_LISTED]
    return render(request, "eligibility/determination.html", {"form": form, "runs": runs})


def _determination_context(run):
    rows = run.summary.get("regencies", []) if run.status == RunStatus.FINISHED else []
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=[r["regency"] for r in rows])}
    for row in rows:
        row["name"] = names.get(row["regency"], row["regency"])
    return {"run": run, "kind": "determination", "regencies": rows}


@never_cache
@may("eligibility.manage")
def determination_run(request, pk: int):
    run = get_object_or_404(DeterminationRun.objects.select_related("programme", "triggered_by", "score_model"), pk=pk)
    return render(request, "eligibility/determination_run.html", _determination_context(run))


@never_cache
@may("eligibility.manage")
def determination_progress(request, pk: int):
    run = get_object_or_404(DeterminationRun.objects.select_related("programme", "score_model"), pk=pk)
    return render(request, "eligibility/_run_progress.html", _determination_context(run))
