from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Pendaftaran")

    def ready(self):
        # Login stamps, session records and the end of a disabled account's sessions.
        from dtsen_portal import security  # noqa: F401
        from registrations.services import followups

        # Extension points this app fills itself (docs/architecture.md, "Extension points").
        followups.register_followup("notify_proposer", "registrations.services.followups.notify_proposer")

        # `make run` without a broker: the outbox sweep and the lookup refresh in-process.
        from dtsen_portal import inprocess_beat

        inprocess_beat.start()
