from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = _("Kelayakan")

    def ready(self):
        # The extension points of the lower app (docs/architecture.md, "Extension points").
        from eligibility.my_data import scores_and_results
        from registrations.services import my_data

        # "Data saya": scores, desils and programme results of the resident's households.
        my_data.register_section(scores_and_results)
