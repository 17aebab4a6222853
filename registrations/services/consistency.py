"""``manage.py check_consistency``: what must always hold between the portal's rows and files.

After a crash, a killed worker or a restored backup, these say whether anything was lost
or left half-done: every proposal that left its draft has the events of its path, every
follow-up is done or pending (a claimed one within its lease), every stored file has the
row that points at it and every row its file, and (checks other apps register) every
register household has its public lookup entry. Each check yields ``Finding`` rows; none
changes anything.

Checks of higher apps are a registry, ``CHECKS``, that they fill in ``AppConfig.ready()``
(dotted paths, imported when the command runs), so this app names none of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string

from registrations.models import FollowUp, FollowUpState, Proposal, ProposalEvent, ProposalStatus
from registrations.services.followups import LEASE
from registrations.storage import private_storage


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str  # what is wrong, by its number or path (never a NIK)
    detail: str

    def line(self) -> str:
        return f"{self.check}\t{self.subject}\t{self.detail}"


#: name → dotted path of a function taking nothing and yielding ``Finding`` rows.
CHECKS: dict[str, str] = {}


def register_check(name: str, path: str) -> None:
    CHECKS[name] = path


def proposal_events() -> Iterator[Finding]:
    """A proposal beyond its draft has events, and its last event reached its status."""
    last = ProposalEvent.objects.filter(proposal=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = (
        Proposal.objects.exclude(status=ProposalStatus.DRAFT)
        .annotate(events_count=Count("events"), last_status=Subquery(last.values("to_status")[:1]))
        .filter(Q(events_count=0) | ~Q(last_status=models.F("status")))
        .values_list("tracking_number", "status", "last_status")
    )
    for number, status, last_status in rows.iterator():
        if last_status is None:
            yield Finding("proposal_events", number, f"status {status} without any event")
        else:
            yield Finding("proposal_events", number, f"status {status}, last event reached {last_status}")


def followups_settled() -> Iterator[Finding]:
    """Every follow-up is done, or pending, or running within its lease; never failed."""
    expired = timezone.now() - LEASE
    rows = FollowUp.objects.filter(
        Q(state=FollowUpState.FAILED) | Q(state=FollowUpState.RUNNING, claimed_at__lt=expired)
    ).values_list("pk", "kind", "state", "event__proposal__tracking_number")
    for pk, kind, state, number in rows.iterator():
        detail = "failed" if state == FollowUpState.FAILED else "claimed, lease expired (its worker died)"
        yield Finding("followups", f"{number} #{pk} {kind}", detail)


def _stored_file_fields() -> Iterator[tuple[type[models.Model], str]]:
    """Every file column kept in the private storage, in every installed app."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.storage is private_storage():
                yield model, field.name


def stored_files() -> Iterator[Finding]:
    """No row points at a missing file, and no file lies in the storage without a row."""
    storage = private_storage()
    referenced: set[str] = set()
    for model, field in _stored_file_fields():
        label = model._meta.label
        for pk, name in model.objects.exclude(**{field: ""}).values_list("pk", field).iterator():
            referenced.add(name)
            if not storage.exists(name):
                yield Finding("stored_files", f"{label} #{pk}", f"{field}: file missing")
    root = storage.location
    work = _work_folders()
    for folder, _dirs, files in os.walk(root):
        if any(os.path.commonpath([os.path.realpath(folder), w]) == w for w in work):
            continue  # job work files (uploads being imported or audited, reports) have no row
        for file_name in files:
            name = os.path.relpath(os.path.join(folder, file_name), root).replace(os.sep, "/")
            if name not in referenced:
                yield Finding("stored_files", name, "file without a row")


def _work_folders() -> set[str]:
    """The folders retention empties (``retention.WORK_FOLDERS``), resolved once per run."""
    from registrations.services.retention import WORK_FOLDERS

    return {os.path.realpath(import_string(folder.path)()) for folder in WORK_FOLDERS}


#: The checks of this app, in the order they are printed.
OWN_CHECKS: dict[str, Callable[[], Iterator[Finding]]] = {
    "proposal_events": proposal_events,
    "followups": followups_settled,
    "stored_files": stored_files,
}


def consistency_findings() -> Iterator[Finding]:
    for check in OWN_CHECKS.values():
        yield from check()
    for path in CHECKS.values():
        yield from import_string(path)()
