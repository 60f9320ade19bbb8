"""Archives: the answer-sheet similarity screening of one demo sitting (generated in code, with
a copied pair and a copying trio), and archive records — a sitting's records, one due for
destruction, one destroyed (the ledger), one held — through ``archives.services`` and
``archives.screening``.
"""

from __future__ import annotations

import datetime as dt

from skillreg.accounts.models import User
from skillreg.archives import screening
from skillreg.archives.models import ArchiveCategory, ArchiveKind, ArchiveRecord, DestructionMethod, ScreeningRun
from skillreg.archives.services import (
    archive_destroy,
    archive_destruction_approve,
    archive_hold,
    archive_record_create,
    archive_records_for_sitting,
)
from skillreg.archives.similarity import Sheet
from skillreg.exams.models import AnswerSheet
from skillreg.registry.models import Institution
from skillreg.web.demo_common import Demo, add_years
from skillreg.web.demo_exams import p1_plan

SCHOOL = "巴中市第二技工学校职业技能考核鉴定所"


def _screening(demo: Demo) -> None:
    """000 三(三)8's question for one sitting: which candidates' answers are abnormally alike."""
    plan = p1_plan()
    if plan is None or ScreeningRun.objects.filter(institution=plan.institution).exists():
        return
    sheets = [Sheet(examinee=str(s.registration_id), room=s.room, answers=tuple(s.answers))
              for s in AnswerSheet.objects.filter(registration__plan=plan).order_by("registration_id")]
    if len(sheets) < 2:
        return
    run = screening.screening_start_from_sheets(
        actor=demo.user("bz-filing-official"), institution=plan.institution, title=f"{plan.title} 理论知识考试",
        sheets=sheets, source_name="考务系统答卷（客观题）", at=demo.on(plan.exam_start + dt.timedelta(days=6), 10))
    # Computed now rather than by the worker, so the demo shows the result at once; the
    # queued task then finds the run done and does nothing.
    screening.screening_execute(run_id=run.pk)


def _sitting_records(demo: Demo) -> None:
    plan = p1_plan()
    if plan is None or ArchiveRecord.objects.filter(institution=plan.institution).exists():
        return
    sitting = f"{plan.title}（{plan.exam_start:%Y-%m-%d}）"
    archive_records_for_sitting(
        actor=demo.user("bz-institution-user"), institution=plan.institution, sitting=sitting,
        made_on=plan.exam_start, at=demo.on(plan.exam_start + dt.timedelta(days=8), 10), items=[
            (ArchiveKind.PAPER, ArchiveCategory.SCORE_SHEETS, "阅卷评分表（3 名考评员签名）"),
            (ArchiveKind.PAPER, ArchiveCategory.ANSWER_SHEETS, "理论知识考试答卷"),
            (ArchiveKind.ELECTRONIC, ArchiveCategory.EXAM_ARRANGEMENT, "考场安排表及考生签到表（电子档）"),
            (ArchiveKind.VIDEO, ArchiveCategory.VIDEO, "两个考场全程监控录像"),
        ])


def _old_records(demo: Demo) -> None:
    """The 鉴定所's records from before its filing here: 001 五(二) keeps them 3 years."""
    school = Institution.objects.filter(name=SCHOOL).first()
    if school is None or ArchiveRecord.objects.filter(institution=school).exists():
        return
    keeper = User.objects.filter(institution=school).order_by("pk").first()
    three_years_ago = add_years(demo.today, -3)

    def record(kind: str, category: str, title: str, days_before: int) -> ArchiveRecord:
        return archive_record_create(actor=keeper, institution=school, kind=kind, category=category, title=title,
                                     made_on=three_years_ago - dt.timedelta(days=days_before),
                                     sitting=title.split("理论")[0].split("阅卷")[0].split("考场")[0],
                                     at=demo.ago(300, 10))

    # Due for destruction: its 3 years ended four months ago; waiting for approval.
    record(ArchiveKind.PAPER, ArchiveCategory.ANSWER_SHEETS, "2023年第二批电工（四级）理论知识考试答卷", 120)
    # Destroyed, with its line in the destruction ledger (000 三(二)).
    destroyed = record(ArchiveKind.PAPER, ArchiveCategory.SCORE_SHEETS, "2023年第一批焊工（五级）阅卷评分表", 200)
    archive_destruction_approve(actor=demo.user("bz-approving-official"), record=destroyed, at=demo.ago(60, 10))
    archive_destroy(actor=keeper, record=destroyed, method=DestructionMethod.SHRED, at=demo.ago(55, 15),
                    witness="王建国（巴中市职业技能鉴定指导中心）")
    # Held while a complaint about that sitting is looked into.
    held = record(ArchiveKind.VIDEO, ArchiveCategory.VIDEO, "2023年第二批电工（四级）考场监控录像", 150)
    archive_hold(actor=demo.user("bz-filing-official"), record=held, at=demo.ago(20, 10),
                 reason="有关该批次考核的举报正在核查，核查结束前留置")


def load(demo: Demo) -> None:
    _screening(demo)
    _sitting_records(demo)
    _old_records(demo)
