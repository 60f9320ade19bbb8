from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "skillreg.draws"
    label = "draws"
    verbose_name = "随机抽取"
