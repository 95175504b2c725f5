from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lyceum.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
