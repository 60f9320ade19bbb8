from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "skillreg.documents"
    label = "documents"
    verbose_name = "文书"
