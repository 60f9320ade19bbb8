from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "skillreg.archives"
    label = "archives"
    verbose_name = "档案"
