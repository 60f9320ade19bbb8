from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "skillreg.accounts"
    label = "accounts"
    verbose_name = "账户与机关"

    def ready(self) -> None:
        # Connects the security-log receivers (logins, failures, lockouts, logouts).
        from skillreg.accounts import signals  # noqa: F401
