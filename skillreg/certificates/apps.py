from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillreg.certificates"
    label = "certificates"
    verbose_name = "证书"
