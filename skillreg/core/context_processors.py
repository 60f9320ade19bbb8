from django.http import HttpRequest

from skillreg.core import clock as clock_module


def clock(request: HttpRequest) -> dict[str, object]:
    # The header shows the simulated time so nobody mistakes a training system for production.
    return {"clock_simulated": clock_module.is_simulated(), "clock_now": clock_module.local_now()}
