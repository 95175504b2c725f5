from django.apps import AppConfig


class CodingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lyceum.coding"
    label = "coding"
    verbose_name = "Code execution"
