from django.apps import AppConfig


class LookupConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lookup"
    verbose_name = "Cek bansos dan sanggah"
