"""``skillreg NAME``: the same management commands as ``python manage.py NAME``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillreg.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
