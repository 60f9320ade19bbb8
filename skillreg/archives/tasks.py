from django_tasks import task

from skillreg.archives.screening import screening_execute


@task()
def screening_run_task(run_id: int) -> str:
    run = screening_execute(run_id=run_id)
    return (f"{run.title}：{run.get_status_display()}，{run.flagged_pair_count} 对异常雷同，"
            f"{run.flagged_room_count} 个考场达到判定比例")
