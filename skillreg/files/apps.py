from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "skillreg.files"
    label = "files"
    verbose_name = "文件"
