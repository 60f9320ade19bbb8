from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "skillreg.exams"
    label = "exams"
    verbose_name = "考务"
