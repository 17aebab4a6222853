"""The staff page for importing population (Dukcapil) records from CSV.

Who: ministry staff and admins (any region) and Dinas Sosial staff (rows of their
regency only; other rows are reported as "di luar wilayah Anda"). Village operators,
regency heads and provincial staff get 403: population data comes from Dukcapil
through the ministry or the social office, not from the people whose proposals it
checks. The import runs as a Celery task (in-process without a broker); the job page
polls with htmx until it is done. The same page takes population events (births,
deaths, moves, KK changes: "jenis berkas"), through the same job machinery. A job
and its bad-row report are visible only to the user who uploaded it (404 for anyone
else).
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registrations.permissions import may, user_may
from registrations.scoping import NATIONAL, region_scope
from verification.population import columns, event_rows, jobs
from verification.population.forms import PopulationUploadKindForm
from verification.uploads.jobs import JobStatus


def _require_importer(user) -> None:
    if not user_may(user, "population.import"):
        raise PermissionDenied


def _job_or_404(request, job_id: str) -> dict:
    job = jobs.job_get(job_id, request.user)
    if job is None:
        raise Http404
    return job


@never_cache
@may("staff")
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_importer(request.user)
    form = PopulationUploadKindForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.job_start(user=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"])
        return redirect("population-import-job", job["id"])
    return render(
        request,
        "verification/population/import_form.html",
        {
            "form": form,
            "regional": region_scope(request.user) != NATIONAL,
            "required_columns": columns.REQUIRED_COLUMNS,
            "optional_columns": columns.OPTIONAL_COLUMNS,
            "event_required_columns": event_rows.REQUIRED_COLUMNS,
            "event_optional_columns": event_rows.OPTIONAL_COLUMNS,
        },
    )


@never_cache
@may("staff")
@require_GET
def import_job(request, job_id: str):
    """The job's progress and, once done, its summary. htmx polls this same URL for the
    status fragment every second until the job is finished."""
    _require_importer(request.user)
    job = _job_or_404(request, job_id)
    finished = job["status"] in (JobStatus.DONE, JobStatus.FAILED)
    if job["status"] == JobStatus.DONE:
        percent = 100
    elif job["lines_total"]:
        percent = min(99, job["lines_done"] * 100 // job["lines_total"])
    else:
        percent = 0
    context = {
        "job": job,
        "events": job.get("kind") == jobs.JobKind.EVENTS,
        "finished": finished,
        "percent": percent,
        "statuses": JobStatus,
    }
    if request.htmx:
        return render(request, "verification/population/_import_status.html", context)
    return render(request, "verification/population/import_job.html", context)


@never_cache
@may("staff")
@require_GET
def import_report(request, job_id: str):
    """The bad-row report (CSV: line, masked NIK, reason), for the job's owner only."""
    _require_importer(request.user)
    job = _job_or_404(request, job_id)
    path = jobs.report_path(job["id"])
    if not job["has_report"] or not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"baris-salah-{job['id'][:8]}.csv",
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
