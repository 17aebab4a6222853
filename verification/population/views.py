"""The staff page for importing population (Dukcapil) records from CSV.

Who: ministry staff and admins (any region) and Dinas Sosial staff (rows of their
regency only; other rows are reported as "di luar wilayah Anda"). Village operators,
regency heads and provincial staff get 403: population data comes from Dukcapil
through the ministry or the social office, not from the people whose proposals it
checks. The import runs as a Celery task (in-process without a broker); the job page
polls with htmx until it is done (``verification/uploads/views.py``: the page every
upload job shares). The same page takes population events (births, deaths, moves, KK
changes: "jenis berkas"), through the same job machinery. A job and its bad-row report
are visible only to the user who uploaded it (404 for anyone else).
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registrations.permissions import may
from registrations.scoping import NATIONAL, region_scope
from verification.population import columns, event_rows, jobs
from verification.population.forms import PopulationUploadKindForm
from verification.uploads.views import JobPage, job_or_404, job_status_view, report_download


def _lines(job: dict, percent: int) -> str:
    done, total = intcomma(job["lines_done"]), intcomma(job["lines_total"])
    return _("%(done)s dari %(total)s baris") % {"done": done, "total": total}


JOB_PAGE = JobPage(
    url_name="population-import-job",
    title=gettext_lazy("Impor data kependudukan"),
    status_id="status-impor",
    running=gettext_lazy("Sedang mengimpor…"),
    failed=gettext_lazy("Impor gagal."),
    progress_label=gettext_lazy("Kemajuan impor"),
    progress_keys=("lines_done", "lines_total"),
    progress_text=_lines,
    summary="verification/uploads/_population_summary.html",
    back_url_name="population-import",
    back_label=gettext_lazy("Impor berkas lain"),
    context=lambda job: {"events": job.get("kind") == jobs.JobKind.EVENTS},
)


@never_cache
@may("population.import")
@require_http_methods(["GET", "POST"])
def import_upload(request):
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


import_job = job_status_view("population.import", jobs.job_get, JOB_PAGE)


@never_cache
@may("population.import")
@require_GET
def import_report(request, job_id: str):
    """The bad-row report (CSV: line, masked NIK, reason), for the job's owner only."""
    job = job_or_404(jobs.job_get, request, job_id)
    if not job["has_report"]:
        raise Http404
    return report_download(
        request,
        jobs.report_path(job["id"]),
        filename=f"baris-salah-{job['id'][:8]}.csv",
        content_type="text/csv; charset=utf-8",
    )
