from django_tasks import task

from skillreg.core.workers import reclaim_lost_tasks


@task()
def reclaim_lost_tasks_task() -> int:
    return len(reclaim_lost_tasks())
