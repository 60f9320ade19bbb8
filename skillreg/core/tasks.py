from django.core.management import call_command
from django_tasks import task

from skillreg.core.workers import reclaim_lost_tasks

# Finished task rows are operational records (domain states live on the domain's own rows):
# successful ones are kept two weeks, failed ones three months for whoever investigates.
KEEP_SUCCESSFUL_DAYS = 14
KEEP_FAILED_DAYS = 90


@task()
def reclaim_lost_tasks_task() -> int:
    return len(reclaim_lost_tasks())


@task()
def prune_task_results_task() -> None:
    # django-tasks-db's own command; the scheduler's minute-by-minute reclaim alone adds 1,440 rows a day.
    call_command("prune_db_task_results", queue_name="*", min_age_days=KEEP_SUCCESSFUL_DAYS,
                 failed_min_age_days=KEEP_FAILED_DAYS, verbosity=0)
