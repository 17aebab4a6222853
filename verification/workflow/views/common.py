"""Helpers shared by the staff queue pages: filters, pagination, rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils import timezone

from registrations.scoping import region_scope
from verification.workflow.selectors import days_since


def paginate(request, queryset, per_page: int):
    """One page of the queue, each row given its waiting days (no query per row)."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("halaman"))
    now = timezone.now()
    rows = list(page.object_list)
    for proposal in rows:
        proposal.waiting_days = days_since(proposal.waiting_since, now)
    return page, rows


def export_stem(prefix: str, user) -> str:
    scope = region_scope(user)
    return f"{prefix}-{scope or 'nasional'}"


def query_without(request, *names: str) -> str:
    """The current query string without ``names`` (for export and filter links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
