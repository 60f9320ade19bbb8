from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "skillreg.accounts"
    label = "accounts"
    verbose_name = "账户与机关"
