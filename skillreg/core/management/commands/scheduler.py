import time

from django.core.management.base import BaseCommand

from skillreg.core.tasks import prune_task_results_task, reclaim_lost_tasks_task
from skillreg.registry.lifecycle_tasks import sweep_validity_task
from skillreg.registry.tasks import sweep_deadlines_task

# Periodic jobs: (task, interval in seconds). The task workers (skillreg worker) run them.
SCHEDULE = [(sweep_deadlines_task, 600), (sweep_validity_task, 3600), (reclaim_lost_tasks_task, 60),
            (prune_task_results_task, 24 * 3600)]


class Command(BaseCommand):
    help = "定时把周期性任务（期限巡检等）放入后台任务队列，由 worker 执行。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--once", action="store_true", help="只放入一轮后退出")

    def handle(self, *args: object, **options: object) -> None:
        # Monotonic time only measures the interval; no business logic reads it.
        last: dict[str, float] = {}
        rounds = 0
        while True:
            now = time.monotonic()
            for job, interval in SCHEDULE:
                if now - last.get(job.name, -interval) >= interval:
                    job.enqueue()
                    last[job.name] = now
            rounds += 1
            if options["once"]:
                break
            time.sleep(5)
        self.stdout.write(f"定时任务已放入队列：{rounds} 轮。")
