from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "skillreg.evaluation"
    label = "evaluation"
    verbose_name = "专家评估"
