"""What every upload job's pages share (population import, register audit): the job of
its owner or a 404, the job's page, and its report downloads.

The page shows the file, the status, a progress bar and, once done, the kind's summary
and its report links; until the job is finished, htmx polls the same URL every second
for the status fragment (``verification/uploads/_job_status.html``). What differs by
kind is a ``JobPage`` row that the kind's views module holds, with the action that may
open it (``registrations.permissions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import Promise
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registrations.permissions import may
from registrations.private_files import serve_private_file
from verification.uploads.jobs import JobStatus


@dataclass(frozen=True)
class JobPage:
    """What one kind of upload job shows on its page."""

    url_name: str  # the job's page (and the fragment htmx polls)
    title: Promise
    status_id: str  # the status block's id
    running: Promise  # the status while it runs
    failed: Promise  # before the error message
    progress_label: Promise
    progress_keys: tuple[str, str]  # the state's keys of the work done and the work to do
    progress_text: Callable[[dict, int], str]  # (job, percent) → the count beside the status
    summary: str  # the template of the kind's counts and report links, inside the status block
    back_url_name: str  # the upload form
    back_label: Promise
    context: Callable[[dict], dict] = field(default=lambda job: {})  # (job) → what the summary needs


def job_status_view(action: str, job_get: Callable[[str, object], dict | None], page: JobPage):
    """The view of one kind's job page: its users only, the owner's job or a 404."""

    @never_cache
    @may(action)
    @require_GET
    def job_status(request, job_id: str):
        return job_page(request, job_or_404(job_get, request, job_id), page)

    return job_status


def job_or_404(job_get: Callable[[str, object], dict | None], request, job_id: str) -> dict:
    """The job if the user uploaded it (``job_get`` of the kind's jobs module); 404 otherwise."""
    job = job_get(job_id, request.user)
    if job is None:
        raise Http404
    return job


def job_page(request, job: dict, page: JobPage):
    """The job's page, or for htmx its status fragment."""
    done, total = page.progress_keys
    finished = job["status"] in (JobStatus.DONE, JobStatus.FAILED)
    if job["status"] == JobStatus.DONE:
        percent = 100
    elif job[total]:
        percent = min(99, job[done] * 100 // job[total])
    else:
        percent = 0
    context = {
        "job": job,
        "page": page,
        "finished": finished,
        "percent": percent,
        "progress_text": page.progress_text(job, percent),
        "statuses": JobStatus,
        **page.context(job),
    }
    template = "verification/uploads/_job_status.html" if request.htmx else "verification/uploads/job.html"
    return render(request, template, context)


def report_download(request, path: Path, *, filename: str, content_type: str):
    """A report file of the job (under ``MEDIA_ROOT``, the private storage), as a download; 404 if missing."""
    if not path.is_file():
        raise Http404
    name = path.relative_to(settings.MEDIA_ROOT).as_posix()
    return serve_private_file(request, name, filename=filename, content_type=content_type, attachment=True)
