"""The staff page of the register audit: upload an extract, follow the progress, read
the summary, drill down to the flagged rows, download the report (CSV, Excel).

Who: ministry staff and admins (anywhere), Dinas Sosial (rows of their regency) and
village operators (rows of their village); rows outside the user's region are skipped
and counted, and the page says so. A job and its files belong to the uploading user
(404 for anyone else). NIKs are shown to the auditing staff on the drill-down but
never put in a URL; every response is ``never_cache``.
"""

from itertools import islice

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registrations.permissions import may
from registrations.scoping import NATIONAL, region_scope
from verification.audit import flags as F
from verification.audit import jobs
from verification.audit.forms import AuditUploadForm
from verification.audit.reader import COLUMNS
from verification.errors import AuditInputError
from verification.uploads.views import JobPage, job_or_404, job_status_view, report_download

PAGE_SIZE = 50


@never_cache
@may("audit.run")
@require_http_methods(["GET", "POST"])
def audit_upload(request):
    form = AuditUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_start(
                user=request.user, upload=form.cleaned_data["file"], id_column=form.cleaned_data["id_column"]
            )
        except AuditInputError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("audit-job", job["id"])
    return render(
        request,
        "verification/audit_upload.html",
        {"form": form, "regional": region_scope(request.user) != NATIONAL, "columns": COLUMNS, "labels": F.LABELS},
    )


def _flag_rows(job: dict) -> list[dict]:
    return [{"flag": flag, "label": F.LABELS[flag], "count": job["counts"].get(flag, 0)} for flag in F.FLAGS]


JOB_PAGE = JobPage(
    url_name="audit-job",
    title=gettext_lazy("Audit data register"),
    status_id="status-audit",
    running=gettext_lazy("Sedang memeriksa…"),
    failed=gettext_lazy("Audit gagal."),
    progress_label=gettext_lazy("Kemajuan audit"),
    progress_keys=("done", "total"),
    progress_text=lambda job, percent: f"{percent}%",
    summary="verification/uploads/_audit_summary.html",
    back_url_name="audit-upload",
    back_label=gettext_lazy("Audit berkas lain"),
    context=lambda job: {"flag_rows": _flag_rows(job), "flags": F.FLAGS},
)


audit_job = job_status_view("audit.run", jobs.job_get, JOB_PAGE)


@never_cache
@may("audit.run")
@require_GET
def audit_rows(request, job_id: str):
    """The flagged rows, register and population side by side; filter by flag and village."""
    job = job_or_404(jobs.job_get, request, job_id)
    if job["status"] != jobs.JobStatus.DONE:
        raise Http404
    flag = request.GET.get("tanda", "")
    flag = flag if flag in F.FLAGS else ""
    village = request.GET.get("desa", "")[:13]
    try:
        page = max(1, int(request.GET.get("halaman", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = jobs.flagged_rows(job["id"], flag=flag, village=village)
    if flag or village:  # the total of a filter is known only by reading the whole file
        items, total = [], 0
        for total, item in enumerate(rows, start=1):
            if start < total <= start + PAGE_SIZE:
                items.append(item)
    else:  # every flagged row: the job counted them; read no further than this page
        items, total = list(islice(rows, start, start + PAGE_SIZE)), job["flagged_rows"]
    for item in items:
        item["flag_list"] = [{"flag": f, "label": F.LABELS[f], "detail": d} for f, d in item["flags"]]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "verification/audit_rows.html",
        {
            "job": job,
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "flag": flag,
            "village": village,
            "flag_rows": _flag_rows(job),
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
        },
    )


@never_cache
@may("audit.run")
@require_GET
def audit_download(request, job_id: str, kind: str):
    """The report: ``csv`` (row_id,flag,detail,line,household_id,village_code) or ``xlsx``."""
    job = job_or_404(jobs.job_get, request, job_id)
    if kind not in ("csv", "xlsx") or job["status"] != jobs.JobStatus.DONE:
        raise Http404
    content_type = (
        "text/csv; charset=utf-8"
        if kind == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return report_download(
        request,
        jobs.report_path(job["id"], kind),
        filename=f"audit-register-{job['id'][:8]}.{kind}",
        content_type=content_type,
    )
