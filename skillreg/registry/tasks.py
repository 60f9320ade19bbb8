from django_tasks import task

from skillreg.registry.sweep import sweep_deadlines


@task()
def sweep_deadlines_task() -> str:
    return sweep_deadlines().summary()
