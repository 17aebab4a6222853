from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verifikasi")

    def ready(self):
        # The extension points of the lower app (docs/architecture.md, "Extension points").
        from registrations.models import ProposalStatus
        from registrations.services import followups, my_data, retention
        from verification.my_data import proposal_outcomes

        # A submission's members are matched against the population records.
        followups.register_followup(
            "match_members",
            "verification.workflow.services.matching.run_matching_followup",
            statuses=[ProposalStatus.SUBMITTED],
        )
        # "Data saya": matching results, field visits and musdes outcomes of each proposal.
        my_data.register_section(proposal_outcomes)
        # Retention: uploaded lists and their reports hold whole villages' NIKs; they are
        # needed only while their job is on screen.
        for folder in ("verification.population.jobs.imports_dir", "verification.audit.jobs.audits_dir"):
            retention.register_work_folder(
                folder, days_setting="RETENTION_WORK_FILE_DAYS", label="berkas kerja impor/audit"
            )
