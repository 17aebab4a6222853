"""The retention rule (docs/retention.md): personal data is kept only as long as needed.

UU PDP art. 43-44: data whose purpose has ended is deleted. Each rule below is one
query of what has expired and one deletion; ``dry_run`` only counts. Files are removed
after the rows' transaction commits, so a failed run never leaves a row without its
file. Rules, with their settings (days unless said):

1. sign-ups never activated, ``RETENTION_UNACTIVATED_SIGNUP_DAYS`` after sign-up:
   account, profile and identity photos;
2. identity photos of a rejected identity not replaced within
   ``RETENTION_REJECTED_IDENTITY_DAYS`` of the rejection;
3. photos of proposals that ended rejected or withdrawn, once the objection (appeal)
   window ``RETENTION_APPEAL_WINDOW_DAYS`` plus ``RETENTION_REJECTED_PROPOSAL_DAYS``
   have passed since the final status (the proposal and its timeline stay: they are
   the record of the decision);
4. staff document-access log rows older than ``RETENTION_ACCESS_LOG_YEARS``;
5. login records (django-axes attempts and logins) older than
   ``RETENTION_LOGIN_LOG_DAYS``; expired sessions and their ``UserSession`` rows;
6. work files of other apps' jobs (uploaded lists and their reports), in the folders
   those apps register (``WORK_FOLDERS``).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from registrations.models import (
    DocumentAccess,
    IdentityDocument,
    IdentityStatus,
    ProposalDocument,
    ProposalStatus,
    ResidentProfile,
    Role,
    User,
    UserSession,
)
from registrations.services.documents import delete_stored

ENDED_NEGATIVE = (
    ProposalStatus.WITHDRAWN,
    ProposalStatus.MUSDES_REJECTED,
    ProposalStatus.VERIFICATION_REJECTED,
    ProposalStatus.NOT_DETERMINED,
)


@dataclass(frozen=True)
class WorkFolder:
    #: Dotted path of a function returning the folder (a ``Path``), called at each run.
    path: str
    #: Name of the setting holding the days a file is kept after its last change.
    days_setting: str
    #: The report's line; folders with the same label are counted together.
    label: str


#: Folders of work files that only matter while their job is on screen (uploaded lists
#: and their reports, whole villages' NIKs), deleted once older than their setting's days.
#: Filled in ``AppConfig.ready()`` through ``register_work_folder`` by the app whose jobs
#: write them (verification: population import uploads and register audits), so this
#: lower app learns the folders without naming that app.
WORK_FOLDERS: list[WorkFolder] = []


def register_work_folder(path: str, *, days_setting: str, label: str) -> None:
    """Have ``apply_retention`` empty the folder ``import_string(path)()`` returns of
    files older than ``settings.<days_setting>`` days. The path is imported only when
    retention runs, so registering loads nothing at start-up."""
    folder = WorkFolder(path, days_setting, label)
    if folder not in WORK_FOLDERS:
        WORK_FOLDERS.append(folder)


@dataclass
class RetentionReport:
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def add(self, rule: str, count: int) -> None:
        self.counts[rule] = self.counts.get(rule, 0) + count


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


def _files_of(documents) -> list[str]:
    return [name for d in documents for name in (d.image.name, d.thumbnail.name)]


def _delete_documents(queryset, report: RetentionReport, rule: str) -> None:
    documents = list(queryset)
    report.add(rule, len(documents))
    if report.dry_run or not documents:
        return
    names = _files_of(documents)
    queryset.model.objects.filter(pk__in=[d.pk for d in documents]).delete()
    transaction.on_commit(lambda: delete_stored(*names))


def apply_retention(*, dry_run: bool = False, now=None) -> RetentionReport:
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    with transaction.atomic():
        # 1. Never activated: the account was never usable; nothing else refers to it.
        stale = ResidentProfile.objects.filter(
            activated_at__isnull=True,
            created_at__lt=now - _days("RETENTION_UNACTIVATED_SIGNUP_DAYS"),
            user__role=Role.RESIDENT,
            user__last_login__isnull=True,
        )
        _delete_documents(IdentityDocument.objects.filter(profile__in=stale), report, "foto identitas pendaftaran")
        users = User.objects.filter(resident__in=stale, proposals__isnull=True, entered_proposals__isnull=True)
        report.add("pendaftaran tidak diaktifkan", users.count())
        if not dry_run:
            User.objects.filter(pk__in=list(users.values_list("pk", flat=True))).delete()

        # 2. Rejected identity, not replaced: the photos did not prove who this is.
        rejected = IdentityDocument.objects.filter(
            profile__identity_status=IdentityStatus.REJECTED,
            profile__identity_reviewed_at__lt=now - _days("RETENTION_REJECTED_IDENTITY_DAYS"),
            uploaded_at__lt=now - _days("RETENTION_REJECTED_IDENTITY_DAYS"),
        )
        _delete_documents(rejected, report, "foto identitas ditolak")

        # 3. Proposals that ended without entering DTSEN, after the appeal window.
        cutoff = now - _days("RETENTION_APPEAL_WINDOW_DAYS") - _days("RETENTION_REJECTED_PROPOSAL_DAYS")
        ended = ProposalDocument.objects.filter(
            proposal__status__in=ENDED_NEGATIVE, proposal__status_changed_at__lt=cutoff
        )
        _delete_documents(ended, report, "dokumen usulan ditolak/ditarik")

        # 4. Access log: kept long enough for audits and complaints, then gone.
        old_access = DocumentAccess.objects.filter(
            accessed_at__lt=now - timedelta(days=365 * settings.RETENTION_ACCESS_LOG_YEARS)
        )
        report.add("log akses dokumen", old_access.count())
        if not dry_run:
            old_access.delete()

        # 5. Login records and sessions.
        from axes.models import AccessAttempt, AccessLog

        login_cutoff = now - _days("RETENTION_LOGIN_LOG_DAYS")
        logs = AccessLog.objects.filter(attempt_time__lt=login_cutoff)
        attempts = AccessAttempt.objects.filter(attempt_time__lt=login_cutoff)
        expired = Session.objects.filter(expire_date__lt=now)
        orphans = UserSession.objects.exclude(
            session_key__in=Session.objects.filter(expire_date__gte=now).values("session_key")
        )
        report.add("log masuk", logs.count() + attempts.count())
        report.add("sesi kedaluwarsa", expired.count())
        report.add("catatan sesi", orphans.count())
        if not dry_run:
            logs.delete()
            attempts.delete()
            expired.delete()
            if _sessions_in_database():
                orphans.delete()
    _delete_work_files(now, report)
    return report


def _sessions_in_database() -> bool:
    """Only then does a record without a ``Session`` row stand for an ended session."""
    from importlib import import_module

    from django.contrib.sessions.backends.db import SessionStore

    return issubclass(import_module(settings.SESSION_ENGINE).SessionStore, SessionStore)


def _delete_work_files(now, report: RetentionReport) -> None:
    """6. The registered work folders' files older than their setting's days."""
    for folder in WORK_FOLDERS:
        cutoff = (now - _days(folder.days_setting)).timestamp()
        path = Path(import_string(folder.path)())
        old = [f for f in path.iterdir() if f.is_file() and f.stat().st_mtime < cutoff] if path.is_dir() else []
        report.add(folder.label, len(old))
        if not report.dry_run:
            for f in old:
                f.unlink(missing_ok=True)
