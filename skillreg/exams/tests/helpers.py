"""Walk a plan through the exam process for tests further down the line."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from skillreg.conftest import NOW
from skillreg.core import clock
from skillreg.exams.models import ExamPlan, Registration
from skillreg.exams.services import plans as plan_svc
from skillreg.exams.services import registrations as reg_svc
from skillreg.exams.tests.conftest import make_id
from skillreg.files.services import file_store

PDF = b"%PDF-1.4\n%%EOF\n"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.LOCAL_TZ)


def pdf(user, name: str = "附件.pdf"):
    with transaction.atomic():
        return file_store(actor=user, upload=SimpleUploadedFile(name, PDF), at=NOW)


def register(plan: ExamPlan, user, serials: range) -> list[Registration]:
    regs = []
    for i in serials:
        reg = reg_svc.registration_create(actor=user, plan=plan, at=NOW, row=reg_svc.CandidateRow(
            name=f"考生{i}", id_number=make_id(i), education="高中"))
        for key in reg_svc.material_items(plan):
            reg_svc.registration_attach_material(actor=user, registration=reg, key=key,
                                                 upload=SimpleUploadedFile(f"{key}.pdf", PDF), at=NOW)
        regs.append(reg)
    return regs


def submit_roster(plan: ExamPlan, user, centre, *, approve: bool = True):
    review = reg_svc.roster_submit(actor=user, plan=plan, quality_letter=pdf(user), at=NOW)
    if approve:
        reg_svc.roster_decide(actor=centre, review=review, approve=True, at=NOW)
    return review


def approve_application(plan: ExamPlan, user, centre) -> ExamPlan:
    day = plan.registration_closes + dt.timedelta(days=1)
    count = plan.registrations.filter(status="registered").count()
    plan_svc.exam_application_submit(actor=user, plan=plan, scheme="考核方案", emergency_plan=pdf(user),
                                     papers_requested=count, at=at(day))
    plan_svc.exam_application_decide(actor=centre, plan=plan, approve=True, at=at(day))
    return ExamPlan.objects.get(pk=plan.pk)
