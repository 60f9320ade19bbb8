from django_tasks import task

from skillreg.core import clock
from skillreg.exams.models import RosterImport
from skillreg.exams.services.imports import roster_import_commit, roster_import_validate


@task()
def validate_roster_import_task(import_id: int) -> str:
    imp = roster_import_validate(RosterImport.objects.get(pk=import_id), at=clock.now())
    return f"{imp.public_id}: {imp.get_status_display()}，合格 {imp.good_rows} 行，问题 {imp.bad_rows} 行"


@task()
def commit_roster_import_task(import_id: int) -> str:
    imp = roster_import_commit(RosterImport.objects.get(pk=import_id), at=clock.now())
    return f"{imp.public_id}: {imp.get_status_display()}，导入 {imp.imported_rows} 人"
