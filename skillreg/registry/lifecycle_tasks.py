"""Background work of the filed institution's life: the validity sweep (reminders, expiry)."""

from django_tasks import task

from skillreg.registry.services.lifecycle import sweep_validity


@task()
def sweep_validity_task() -> str:
    return sweep_validity().summary()
