"""Steps of the kill-the-worker test, each run as its own process against the test's database
(``python -m skillreg.security_tests.worker_scenario STEP``; DATABASE_URL names the database,
SKILLREG_CLOCK_START puts the clock inside the plan's entry window). Prints one JSON line.

* ``seed N``: a filed 巴中 institution with a published exam plan, its user, and a roster of N
  valid candidates uploaded (large enough to be checked by the task worker, not the request).
* ``accept``: the institution user accepts the checked roster (the commit goes to the worker).
* ``requeue``: the commit task enqueued again, as a second worker or an operator would.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys


def _setup() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillreg.settings")
    django.setup()


def _ids(n: int) -> list[str]:
    from stdnum.cn import ric

    out = []
    born = dt.date(1970, 1, 1)
    for k in range(n):
        body = f"511902{born + dt.timedelta(days=k // 900):%Y%m%d}{k % 900 + 100:03d}"
        out.append(body + ric.calc_check_digit(body + "0"))
    return out


def seed(n: int) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from skillreg.accounts.factories import AuthorityFactory
    from skillreg.accounts.models import Authority, Role
    from skillreg.conftest import make_user
    from skillreg.core import clock
    from skillreg.exams.services.imports import roster_import_start
    from skillreg.exams.tests.conftest import filed_institution, filed_venue, make_plan, scope_of

    sichuan = AuthorityFactory(name="四川省人力资源和社会保障厅", region_code="510000", region_name="四川省",
                               level=Authority.Level.PROVINCE)
    bazhong = AuthorityFactory(name="巴中市人力资源和社会保障局", region_code="511900", region_name="巴中市",
                               parent=sichuan)
    official = make_user(Role.FILING_OFFICIAL, bazhong, username="worker-official")
    inst = filed_institution(bazhong, name="巴中市工人技能评价中心", region_code="511902")
    user = make_user(Role.INSTITUTION_USER, None, institution=inst, username="worker-inst")
    plan = make_plan(user, inst, filed_venue(inst, official), scope_of(inst))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("考生名册")
    ws.append(["姓名", "身份证号码", "文化程度"])
    for k, id_number in enumerate(_ids(n)):
        ws.append([f"考生{k}", id_number, "高中"])
    out = io.BytesIO()
    wb.save(out)
    imp = roster_import_start(actor=user, plan=plan, at=clock.now(),
                              upload=SimpleUploadedFile("名册.xlsx", out.getvalue()))
    return {"import": imp.pk, "status": imp.status, "bytes": out.tell()}


def accept() -> dict[str, object]:
    from skillreg.accounts.models import User
    from skillreg.core import clock
    from skillreg.exams.models import RosterImport
    from skillreg.exams.services.imports import roster_import_accept

    imp = roster_import_accept(actor=User.objects.get(username="worker-inst"), imp=RosterImport.objects.get(),
                               at=clock.now())
    return {"status": imp.status}


def requeue() -> dict[str, object]:
    from skillreg.exams.models import RosterImport
    from skillreg.exams.tasks import commit_roster_import_task

    commit_roster_import_task.enqueue(RosterImport.objects.get().pk)
    return {"requeued": True}


def reclaim() -> dict[str, object]:
    from skillreg.core.workers import reclaim_lost_tasks

    return {"reclaimed": len(reclaim_lost_tasks())}


if __name__ == "__main__":
    _setup()
    step = sys.argv[1]
    steps = {"accept": accept, "requeue": requeue, "reclaim": reclaim}
    result = seed(int(sys.argv[2])) if step == "seed" else steps[step]()
    print(json.dumps(result, ensure_ascii=False))
