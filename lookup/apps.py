from django.apps import AppConfig


class LookupConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lookup"
    verbose_name = "Cek bansos dan sanggah"

    def ready(self):
        # The extension points of the lower apps (docs/architecture.md, "Extension points").
        from lookup.my_data import objections
        from registrations.services import consistency, my_data

        # "Data saya": the resident's objections.
        my_data.register_section(objections)
        # check_consistency: every register household has its lookup entries.
        consistency.register_check("lookup_index", "lookup.consistency.register_households_indexed")
