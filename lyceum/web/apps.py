from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lyceum.web"
    label = "web"
    verbose_name = "Web pages"
