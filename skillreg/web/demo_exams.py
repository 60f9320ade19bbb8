"""Exams and certificates: sittings of the filed bodies in every state, from a draft to results
approved and certificates issued (one revoked), through ``exams.services`` and
``certificates.services``.

巴中 (bz-2023-special, 002 第六条): 恒信's 农村电商运营 sittings — results approved with
answer sheets (screened by ``demo_archives``) and certificates; scoring in progress; open for
registration; a draft — the renewed body's sitting waiting for the centre, the expiring
body's cancelled one, an off-site venue waiting to be checked. 乌海 (nm-2021-skill-level,
003): the enterprise's 电工 四级 sitting with certificates in the national 22-character format,
and a second one whose results wait for the centre. The registers in several states: the
assessor pool (active, lapsed certificate, retired), off-site venues (pending, approved,
returned) and training rosters (in force, one trainee removed, withdrawn).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from skillreg.accounts.models import Role, User
from skillreg.certificates.services import Holder, certificate_revoke, certificates_issue
from skillreg.exams.models import Assessor, ExamPlan, Registration, Relation, TrainingRoster, Venue
from skillreg.exams.services import assessors, dispatch, plans, registrations, scoring
from skillreg.exams.services.registrations import CandidateRow
from skillreg.files.services import file_store
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.registry.services.lifecycle import last_filing
from skillreg.web import demo_people
from skillreg.web.demo_common import (
    BAZHONG_COUNTIES,
    WUHAI_DISTRICTS,
    Demo,
    People,
    Person,
    demo_account,
    pdf,
    seeded,
)
from skillreg.web.demo_filings import BZ_EXPIRING, BZ_RENEWED, NM_ENTERPRISE

MAIN_BZ = "巴中市恒信职业技能评价中心"
EDUCATION = ("初中", "高中", "中专", "中专", "大专", "大专", "本科")
MATERIAL_NAMES = {"application-form": "个人申报表.pdf", "identity-proof": "身份证明.pdf",
                  "education-proof": "学历证明.pdf", "commitment": "考生承诺书.pdf"}
ROOMS = ("第1考场", "第2考场")
ITEMS = 40  # objective questions on the 农村电商运营 paper
TWO = Decimal("0.5")


@dataclass
class Sitting:
    plan: ExamPlan
    user: User
    people: list[Person]
    ability: dict[str, float]  # registration public id → the candidate's true ability


def _institution(name: str) -> Institution | None:
    return Institution.objects.filter(name=name).first()


def _account(institution: Institution, username: str = "") -> User:
    if username:
        return User.objects.get(username=username)
    return User.objects.filter(institution=institution).order_by("pk").first()  # type: ignore[return-value]


def _venue(demo: Demo, institution: Institution, official: str, name: str, at: dt.datetime,
           address: str = "") -> Venue:
    venue = Venue.objects.filter(institution=institution, name=name).first()
    if venue is None:
        venue = plans.venue_record_filed(actor=demo.user(official), institution=institution, name=name,
                                         address=address or institution.address,
                                         region_code=institution.region_code, rooms=2, capacity=60, at=at)
    return venue


def _plan(demo: Demo, user: User, institution: Institution, venue: Venue, scope: InstitutionScope, *, title: str,
          opens: dt.date, closes: dt.date, exam: dt.date, created: dt.datetime, fee: str = "260.00",
          publish: bool = True) -> ExamPlan:
    plan = plans.plan_create(actor=user, institution=institution, scope=scope, venue=venue, title=title,
                             registration_opens=opens, registration_closes=closes, exam_start=exam, exam_end=exam,
                             fee=Decimal(fee), fee_basis="川发改价格〔2020〕号文公布的专项职业能力考核收费标准",
                             capacity=60, at=created)
    if publish:
        plan = plans.plan_publish(actor=user, plan=plan, at=created + dt.timedelta(hours=2))
    return plan


def _register(demo: Demo, plan: ExamPlan, user: User, people: list[Person], *, at: dt.datetime,
              rng: random.Random, work_unit: str = "", relations: tuple[str, ...] = (Relation.NONE,),
              materials: int | None = None) -> list[Registration]:
    """Enter the candidates as one roster (all or none), then their 一表一书两证明 — for the
    first ``materials`` of them (None: everyone)."""
    rows = [CandidateRow(name=p.name, id_number=p.id_number, education=rng.choice(EDUCATION),
                         work_unit=work_unit or rng.choice(("个体经营", "巴中市农特产品网店", "自由职业", "合作社")),
                         relation=rng.choice(relations), phone=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}")
            for p in people]
    registrations.registrations_bulk_create(actor=user, plan=plan, rows=rows, at=at)
    regs = list(plan.registrations.select_related("candidate").order_by("pk"))
    keys = registrations.material_items(plan)
    for reg in regs[:materials]:
        for key in keys:
            registrations.registration_attach_material(actor=user, registration=reg, key=key,
                                                       upload=pdf(MATERIAL_NAMES.get(key, f"{key}.pdf")),
                                                       at=at + dt.timedelta(minutes=30))
    return regs


def _roster_and_application(demo: Demo, plan: ExamPlan, user: User, centre: User, *, roster_at: dt.datetime,
                            applied_at: dt.datetime | None, approved_at: dt.datetime | None) -> None:
    letter = file_store(actor=user, upload=pdf("专项职业能力考核报名质量责任书.pdf"), at=roster_at)
    review = registrations.roster_submit(actor=user, plan=plan, quality_letter=letter, at=roster_at)
    registrations.roster_decide(actor=centre, review=review, approve=True, at=roster_at + dt.timedelta(hours=2))
    if applied_at is None:
        return
    emergency = file_store(actor=user, upload=pdf("考核应急预案.pdf"), at=applied_at)
    count = plan.registrations.filter(status=Registration.Status.REGISTERED).count()
    plans.exam_application_submit(
        actor=user, plan=plan, emergency_plan=emergency, papers_requested=count + 2, at=applied_at,
        scheme=(f"{plan.title}：理论知识考试 60 分钟（客观题 {ITEMS} 道），操作技能考核 90 分钟；"
                "设 2 个考场，每考场 2 名监考人员，全程录音录像。"))
    if approved_at is not None:
        plans.exam_application_decide(actor=centre, plan=plan, approve=True, at=approved_at)


def _mark(value: float) -> Decimal:
    clipped = min(100.0, max(0.0, value))
    return (Decimal(str(clipped)) / TWO).quantize(Decimal(1), rounding=ROUND_HALF_UP) * TWO


def _score(plan: ExamPlan, ability: dict[str, float], rng: random.Random, *, at: dt.datetime,
           absent: frozenset[str] | set[str] = frozenset(), skip: frozenset[str] = frozenset()) -> None:
    """Each dispatched assessor scores on their own and signs (002 第十六条); ``skip``: those
    (by account) who have not yet scored."""
    for n, assignment in enumerate(plan.assignments.select_related("assessor__user").order_by("pk")):
        user = assignment.assessor.user
        if user is None or user.username in skip:
            continue
        marks = {key: None if key in absent else _mark(value + rng.uniform(-4, 4)) for key, value in ability.items()}
        when = at + dt.timedelta(minutes=20 * n)
        scoring.scores_enter(actor=user, plan=plan, scores=marks, at=when)  # type: ignore[arg-type]
        scoring.score_sheet_submit(actor=user, plan=plan, signature_name=assignment.assessor.name,
                                   at=when + dt.timedelta(minutes=10))


# --- answer sheets (for the similarity screening) --------------------------------------------


def _answer_sheets(plan: ExamPlan, user: User, ability: dict[str, float], rng: random.Random, *,
                   absent: set[str], at: dt.datetime) -> None:
    """Objective answers per candidate and room; two rooms, with one copied pair and one trio
    (identical wrong answers), which the screening should find."""
    options = "ABCD"
    key = [rng.choice(options) for _ in range(ITEMS)]
    # Wrong options are not equally attractive: a strong distractor, a weak one, a rare one.
    distractors = [rng.sample([o for o in options if o != k], 3) for k in key]
    regs = [r for r in plan.registrations.order_by("pk") if str(r.public_id) not in absent]
    answers: dict[int, list[str | None]] = {}
    for reg in regs:
        p = min(0.95, max(0.25, (ability[str(reg.public_id)] - 25) / 75))
        row: list[str | None] = []
        for k in range(ITEMS):
            if rng.random() < 0.02:
                row.append(None)
            elif rng.random() < p:
                row.append(key[k])
            else:
                row.append(rng.choices(distractors[k], weights=(6, 3, 1))[0])
        answers[reg.pk] = row
    half = len(regs) // 2
    rooms = {reg.pk: ROOMS[0] if i < half else ROOMS[1] for i, reg in enumerate(regs)}
    # Room 1: the weakest candidate's neighbour copies nearly everything from them.
    room1 = sorted(regs[:half], key=lambda r: ability[str(r.public_id)])
    _copy(answers, source=room1[0].pk, copier=room1[1].pk, changed=3, rng=rng)
    # Room 2: two candidates copy from a third.
    room2 = sorted(regs[half:], key=lambda r: ability[str(r.public_id)])
    _copy(answers, source=room2[1].pk, copier=room2[2].pk, changed=4, rng=rng)
    _copy(answers, source=room2[1].pk, copier=room2[3].pk, changed=5, rng=rng)
    for i, reg in enumerate(regs):
        scoring.answer_sheet_record(actor=user, registration=reg, room=rooms[reg.pk], answers=answers[reg.pk],
                                    at=at + dt.timedelta(seconds=30 * i))


def _copy(answers: dict[int, list[str | None]], *, source: int, copier: int, changed: int,
          rng: random.Random) -> None:
    row = list(answers[source])
    for k in rng.sample(range(ITEMS), changed):
        row[k] = rng.choice("ABCD")
    answers[copier] = row


# --- 巴中: 恒信's sittings -------------------------------------------------------------------


def _p1_results_approved(demo: Demo, main: Institution, venue: Venue, scope: InstitutionScope,
                         people: People) -> ExamPlan:
    """Results approved five weeks ago: answer sheets, the quality supervisor's report,
    certificates for those who passed (one later revoked)."""
    user, centre = demo.user("bz-institution-user"), demo.user("bz-centre-staff")
    rng = seeded("bz-p1")
    closes = demo.workday_on_or_before(demo.day(-52))
    exam = demo.workday_on_or_after(closes + dt.timedelta(days=10))
    plan = _plan(demo, user, main, venue, scope, title="农村电商运营专项职业能力考核（2026年第三期）",
                 opens=closes - dt.timedelta(days=20), closes=closes, exam=exam,
                 created=demo.on(closes - dt.timedelta(days=25), 10))
    group = list(people.people(30, BAZHONG_COUNTIES))
    regs = _register(demo, plan, user, group, at=demo.on(closes, 9), rng=rng)
    applied = demo.on(demo.add_workdays(closes, 1), 14)
    _roster_and_application(demo, plan, user, centre, roster_at=demo.on(closes, 15), applied_at=applied,
                            approved_at=applied + dt.timedelta(hours=2))
    # 002 第十五条: the centre dispatches; only three assessors hold a 农村电商运营 certificate yet.
    dispatch.assessors_dispatch(actor=centre, plan=plan, count=3, at=applied + dt.timedelta(days=1))
    dispatch.supervisors_draw(actor=centre, plan=plan, count=1, at=applied + dt.timedelta(days=1, hours=1))
    ability = {str(r.public_id): rng.gauss(76, 11) for r in regs}
    absent = {str(regs[5].public_id), str(regs[21].public_id)}
    _score(plan, ability, rng, at=demo.on(exam, 16), absent=absent)
    supervision = plan.supervisors.get()
    dispatch.supervision_report_file(
        actor=demo.user("bz-supervisor"), assignment=supervision, at=demo.on(exam, 17, 30),
        site_record=("考前核验考生身份证件，两个考场各 2 名监考人员到位；监控录像正常；"
                     "理论考试 9:00 开考，操作技能考核 14:00 开始。"),
        assessor_evaluation=[{"assessor": a.assessor.name, "rating": "称职", "remark": "独立评分，记录完整"}
                             for a in plan.assignments.select_related("assessor")],
        corrections="第2考场一名考生携带手机进入考场，已当场收缴并记录。")
    _answer_sheets(plan, user, ability, rng, absent=absent, at=demo.on(exam, 19))
    scoring.results_submit(actor=user, plan=plan, at=demo.on(exam + dt.timedelta(days=2), 10))
    scoring.results_decide(actor=centre, plan=plan, approve=True, at=demo.on(exam + dt.timedelta(days=4), 10))
    passed = list(plan.registrations.filter(passed=True).select_related("candidate").order_by("pk"))
    issued = certificates_issue(
        actor=user, institution=main, occupation=scope.name, level=None, sitting=plan,
        holders=[Holder(r.name, r.candidate.id_number, r) for r in passed],
        at=demo.on(exam + dt.timedelta(days=7), 10))
    # 002 第二十六条: a certificate obtained by fraud is recalled; it stays and verifies as revoked.
    certificate_revoke(actor=demo.user("bz-filing-official"), certificate=issued[3], at=demo.ago(10, 15),
                       reason="经核查，该持证人报名时提交的学历证明系伪造，依规追缴所发证书")
    return plan


def _p2_scoring(demo: Demo, main: Institution, venue: Venue, scope: InstitutionScope, people: People) -> None:
    """Examined two days ago: two assessors have signed their scores, one (and the quality
    supervisor's report) still to come; the centre corrected one signed score with a reason."""
    user, centre = demo.user("bz-institution-user"), demo.user("bz-centre-staff")
    rng = seeded("bz-p2")
    closes = demo.workday_on_or_before(demo.day(-14))
    exam = demo.day(-2)
    plan = _plan(demo, user, main, venue, scope, title="农村电商运营专项职业能力考核（2026年第四期）",
                 opens=closes - dt.timedelta(days=15), closes=closes, exam=exam,
                 created=demo.on(closes - dt.timedelta(days=18), 10))
    regs = _register(demo, plan, user, list(people.people(12, BAZHONG_COUNTIES)), at=demo.on(closes, 9), rng=rng)
    applied = demo.on(demo.add_workdays(closes, 1), 11)
    _roster_and_application(demo, plan, user, centre, roster_at=demo.on(closes, 15), applied_at=applied,
                            approved_at=applied + dt.timedelta(hours=3))
    # 002 第十五条: at least a third of the team is new at this venue since the last sitting.
    dispatch.assessors_dispatch(actor=centre, plan=plan, count=3, at=applied + dt.timedelta(days=1))
    dispatch.supervisors_draw(actor=centre, plan=plan, count=1, at=applied + dt.timedelta(days=1, hours=1))
    team = list(plan.assignments.select_related("assessor__user").order_by("pk"))
    named = [a.assessor.user.username for a in team if a.assessor.user and a.assessor.user.username == "bz-assessor"]
    waiting = frozenset(named or [team[-1].assessor.user.username])  # type: ignore[union-attr]
    ability = {str(r.public_id): rng.gauss(74, 12) for r in regs}
    _score(plan, ability, rng, at=demo.on(exam, 17), absent={str(regs[7].public_id)}, skip=waiting)
    sheet = plan.score_sheets.filter(submitted_at__isnull=False).order_by("pk").first()
    if sheet is not None:
        score = sheet.scores.exclude(value__isnull=True).order_by("pk").first()
        if score is not None and score.value is not None:
            scoring.score_correct(actor=centre, score=score, value=min(Decimal(100), score.value + 4),
                                  at=demo.ago(1, 11),
                                  reason="复核评分记录表，操作技能第 3 项漏计 4 分，经考评员确认后更正")


def _p4_open(demo: Demo, main: Institution, venue: Venue, scope: InstitutionScope, people: People) -> None:
    """Registration open: candidates entered in the 3 working days before the deadline
    (002 第六条(一)); some attachments still missing; one registration withdrawn."""
    user = demo.user("bz-institution-user")
    entered = demo.ago(0, 9)
    # The deadline two working days after the entry day: that day is inside the window.
    closes = demo.add_workdays(demo.local_date(entered), 2)
    plan = _plan(demo, user, main, venue, scope, title="农村电商运营专项职业能力考核（2026年第五期）",
                 opens=demo.day(-10), closes=closes, exam=closes + dt.timedelta(days=12),
                 created=demo.ago(12, 10))
    regs = _register(demo, plan, user, list(people.people(9, BAZHONG_COUNTIES)), at=entered,
                     rng=seeded("bz-p4"), materials=6)
    registrations.registration_withdraw(actor=user, registration=regs[-1], at=entered + dt.timedelta(minutes=2),
                                        reason="考生因工作调动外地，申请撤销报名")


def _p5_draft(demo: Demo, main: Institution, venue: Venue, scope: InstitutionScope) -> None:
    user = demo.user("bz-institution-user")
    opens = demo.day(40)
    _plan(demo, user, main, venue, scope, title="农村电商运营专项职业能力考核（2027年第一期）", opens=opens,
          closes=opens + dt.timedelta(days=20), exam=opens + dt.timedelta(days=32), created=demo.ago(1, 16),
          publish=False)


def _bazhong(demo: Demo, people: People) -> None:
    main = _institution(MAIN_BZ)
    if main is None or main.status != Institution.Status.FILED or ExamPlan.objects.filter(institution=main).exists():
        return
    filing = last_filing(main)
    if filing is None or filing.filed_at > demo.ago(90):
        return  # filed too recently for its sittings (a database from an older demo)
    scope = InstitutionScope.objects.get(institution=main, name="农村电商运营")
    # The site fixed at filing, at the address before the body's offices moved (demo_lifecycle).
    venue = _venue(demo, main, "bz-filing-official", "巴中市恒信职业技能评价中心本部考点", demo.ago(390, 10),
                   address="四川省巴中市巴州区江北大道东段88号")
    # 002 第五条(四) 考培分离: the body's own trainees, declared, may not be assessed by it.
    trainees = list(people.people(5, BAZHONG_COUNTIES))
    registrations.training_roster_declare(
        actor=demo.user("bz-institution-user"), institution=main, title="2026年农村电商运营技能提升培训班",
        trainees=[(p.name, p.id_number) for p in trainees], trained_from=demo.day(-200),
        trained_until=demo.day(-170), at=demo.ago(200, 10))
    _p1_results_approved(demo, main, venue, scope, people)
    # More assessors are certified after the first sitting (its draw listed the pool as it
    # was); the next 农村电商运营 team can then rotate (002 第十五条).
    demo_people.load_assessors(demo, demo_people.LATER_ASSESSORS, at=demo.ago(35, 9))
    _p2_scoring(demo, main, venue, scope, people)
    _p4_open(demo, main, venue, scope, people)
    _p5_draft(demo, main, venue, scope)
    # 002 第十三条: an exam outside the filed site waits for the centre's check.
    plans.venue_apply_off_site(
        actor=demo.user("bz-institution-user"), institution=main, name="恩阳区电商产业园考点",
        address="四川省巴中市恩阳区柳林镇电商产业园 3 号楼", region_code="511903", rooms=1, capacity=30,
        at=demo.ago(4, 10), reason="园区内电商从业人员集中，就近组织考核，减少考生往返")


def _renewed_applied(demo: Demo, people: People) -> None:
    """The renewed body: registration closed, the exam application waiting for the centre."""
    institution = _institution(BZ_RENEWED.name)
    if institution is None or ExamPlan.objects.filter(institution=institution).exists():
        return
    user, centre = _account(institution), demo.user("bz-centre-staff")
    scope = InstitutionScope.objects.get(institution=institution, name="家政服务")
    venue = _venue(demo, institution, "bz-filing-official", "巴州区家庭服务职业技能评价中心考点", demo.ago(1000, 10))
    applied = demo.ago(0, 9, 30)
    # 002 第六条(二): applied today, within 3 working days after the last working day's deadline.
    closes = demo.workday_on_or_before(demo.local_date(applied) - dt.timedelta(days=1))
    plan = _plan(demo, user, institution, venue, scope, title="家政服务专项职业能力考核（2026年第六期）",
                 opens=closes - dt.timedelta(days=20), closes=closes, exam=demo.day(8), fee="200.00",
                 created=demo.on(closes - dt.timedelta(days=22), 10))
    _register(demo, plan, user, list(people.people(10, BAZHONG_COUNTIES, born=(1968, 1995))),
              at=demo.on(closes, 9), rng=seeded("bz-p3"))
    _roster_and_application(demo, plan, user, centre, roster_at=demo.on(closes, 15),
                            applied_at=applied, approved_at=None)


def _expiring_cancelled(demo: Demo) -> None:
    institution = _institution(BZ_EXPIRING.name)
    if institution is None or ExamPlan.objects.filter(institution=institution).exists():
        return
    user = _account(institution)
    scope = InstitutionScope.objects.get(institution=institution, name="茶叶加工")
    venue = _venue(demo, institution, "bz-filing-official", "平昌县技能人才评价中心考点", demo.ago(1040, 10))
    plan = _plan(demo, user, institution, venue, scope, title="茶叶加工专项职业能力考核（2026年第二期）",
                 opens=demo.day(-30), closes=demo.day(-2), exam=demo.day(6), fee="180.00", created=demo.ago(32, 10))
    plans.plan_cancel(actor=user, plan=plan, at=demo.ago(12, 16),
                      reason="报名人数不足 10 人，本期考核取消；已咨询的考生转入下期")


# --- 乌海: the enterprise's 职业技能等级认定 (nm-2021) ---------------------------------------------


def _wuhai_sitting_held(demo: Demo, plan: ExamPlan, user: User, centre: User, regs: list[Registration],
                        rng: random.Random,
                        *, closes: dt.date, exam: dt.date, roster_days: int, approve_hours: int, mean: float,
                        spread: float, site_record: str) -> None:
    """The enterprise's sitting from the roster to the submitted results: application approved,
    assessors drawn, 003 四(五) its own internal quality supervisor and the report, scores."""
    applied = demo.on(closes + dt.timedelta(days=1), 10)
    _roster_and_application(demo, plan, user, centre,
                            roster_at=demo.on(closes - dt.timedelta(days=roster_days), 10),
                            applied_at=applied, approved_at=applied + dt.timedelta(hours=approve_hours))
    dispatch.assessors_dispatch(actor=centre, plan=plan, count=2, at=applied + dt.timedelta(days=1))
    internal = dispatch.internal_supervisor_record(actor=user, plan=plan, name="张国庆",
                                                   at=applied + dt.timedelta(days=2))
    ability = {str(r.public_id): rng.gauss(mean, spread) for r in regs}
    _score(plan, ability, rng, at=demo.on(exam, 17))
    dispatch.supervision_report_file(actor=user, assignment=internal, at=demo.on(exam, 18),
                                     site_record=site_record, assessor_evaluation=[])
    scoring.results_submit(actor=user, plan=plan, at=demo.on(exam + dt.timedelta(days=2), 10))


def _wuhai(demo: Demo, people: People) -> None:
    institution = _institution(NM_ENTERPRISE.name)
    if institution is None or ExamPlan.objects.filter(institution=institution).exists():
        return
    user, centre = _account(institution), demo.user("wh-centre-staff")
    rng = seeded("wh-e1")
    scope = InstitutionScope.objects.get(institution=institution, name="电工", level=4)
    venue = _venue(demo, institution, "wh-hrss-filing-official", "恒源集团职工培训中心考点", demo.ago(400, 10))
    closes = demo.day(-40)
    exam = closes + dt.timedelta(days=7)
    plan = _plan(demo, user, institution, venue, scope, title="电工（四级/中级工）职业技能等级认定（2026年第二批）",
                 opens=closes - dt.timedelta(days=20), closes=closes, exam=exam, fee="0.00",
                 created=demo.on(closes - dt.timedelta(days=22), 10))
    # 003 三(一): an enterprise assesses its own workers, dispatched and outsourced ones included.
    regs = _register(demo, plan, user, list(people.people(12, WUHAI_DISTRICTS, mongolian=True)),
                     at=demo.on(closes - dt.timedelta(days=3), 10), rng=rng,
                     work_unit="乌海市恒源煤化工集团有限公司焦化厂",
                     relations=(Relation.EMPLOYEE,) * 5 + (Relation.DISPATCHED,))
    _wuhai_sitting_held(demo, plan, user, centre, regs, rng, closes=closes, exam=exam, roster_days=2,
                        approve_hours=4, mean=78, spread=9,
                        site_record="理论考试和实操考核按方案进行，考评员独立评分，未发现违规行为。")
    scoring.results_decide(actor=centre, plan=plan, approve=True, at=demo.on(exam + dt.timedelta(days=3), 10))
    passed = list(plan.registrations.filter(passed=True).select_related("candidate").order_by("pk"))
    # 003 四(七): numbered under the national rule — 13-character body code, year, level, serial.
    certificates_issue(actor=user, institution=institution, occupation="电工", level=4, sitting=plan,
                       holders=[Holder(r.name, r.candidate.id_number, r) for r in passed],
                       at=demo.on(exam + dt.timedelta(days=6), 10))


def p1_plan() -> ExamPlan | None:
    """The sitting whose answer sheets the archives part screens."""
    return ExamPlan.objects.filter(title="农村电商运营专项职业能力考核（2026年第三期）",
                                   institution__name=MAIN_BZ).first()


# --- the registers: assessor pool, venues, training rosters in several states ---------------------

# (name, region, employer, [(scope, level, number)], added days ago, certificate valid for days from then):
# after the first 电工 sitting's draw, before the second's.
WH_ELECTRICIANS = [
    ("张建华", "150303", "乌海市电力技师协会", [("电工", 3, "KP1503240031")], 30, 3 * 365),
    ("高志强", "150302", "内蒙古化工职业学院乌海分院", [("电工", 2, "KP1503240035")], 25, 3 * 365),
]
CENTRE_OF = {"15": ("乌海市职业技能鉴定指导中心", "wh-centre-staff", "wh"),
             "51": ("巴中市职业技能鉴定指导中心", "bz-centre-staff", "bz")}


def _pool_account(demo: Demo, region: str, name: str, at: dt.datetime) -> User:
    centre_name, _, prefix = CENTRE_OF[region[:2]]
    taken = User.objects.filter(username__startswith=f"{prefix}-assessor-").count()
    user, _ = demo_account(username=f"{prefix}-assessor-{taken + 2:02d}", password=None, role=Role.ASSESSOR,
                           display_name=name, authority=demo.authority(centre_name), at=at)
    return user


def _assessor_pool(demo: Demo, people: People) -> None:
    """002 第十五条: the pool through ``exams.services.assessors`` — ID numbers entered for the
    founding records, two more electricians in 乌海, one who left the pool. Each joins after the
    draws already made (a stored draw lists the pool as it stood on its day)."""
    for assessor in Assessor.objects.filter(id_number="").order_by("pk"):
        centre = demo.user(CENTRE_OF[assessor.region_code[:2]][1])
        person = people.person(BAZHONG_COUNTIES if assessor.region_code.startswith("51") else WUHAI_DISTRICTS)
        assessors.assessor_update(actor=centre, assessor=assessor, name=assessor.name,
                                  region_code=assessor.region_code, employer_name=assessor.employer_name,
                                  employer=assessor.employer, user=assessor.user, id_number=person.id_number,
                                  at=demo.ago(60, 9))
    for name, region, employer, certs, days, valid in WH_ELECTRICIANS:
        if Assessor.objects.filter(name=name).exists():
            continue
        at = demo.ago(days, 9)
        assessors.assessor_add(
            actor=demo.user(CENTRE_OF[region[:2]][1]), name=name, region_code=region, employer_name=employer,
            id_number=people.person(WUHAI_DISTRICTS).id_number, user=_pool_account(demo, region, name, at), at=at,
            certificates=[assessors.CertificateIn(scope_name=sc, level=lv, number=no,
                                                  valid_until=demo.local_date(at) + dt.timedelta(days=valid))
                          for sc, lv, no in certs])
    bz_centre = demo.user("bz-centre-staff")
    if not Assessor.objects.filter(name="周敏").exists():
        retired = assessors.assessor_add(
            actor=bz_centre, name="周敏", region_code="511902", employer_name="巴中市商务局电子商务服务中心",
            id_number=people.person(BAZHONG_COUNTIES).id_number, at=demo.ago(9, 9),
            certificates=[assessors.CertificateIn(scope_name="农村电商运营", level=None, number="ZXKP5119240066",
                                                  valid_until=demo.day(700))])
        assessors.assessor_deactivate(actor=bz_centre, assessor=retired, at=demo.ago(2, 15),
                                      reason="工作调动至成都市，本人申请退出本市考评员库")


def _venues(demo: Demo) -> None:
    """002 第十三条: off-site requests checked by the centre — one approved, one returned (the
    pending one is in ``_bazhong``)."""
    main = _institution(MAIN_BZ)
    if main is None or main.status != Institution.Status.FILED:
        return
    user, centre = demo.user("bz-institution-user"), demo.user("bz-centre-staff")
    if not Venue.objects.filter(institution=main, name="巴州区职业技能公共实训基地考点").exists():
        approved = plans.venue_apply_off_site(
            actor=user, institution=main, name="巴州区职业技能公共实训基地考点",
            address="四川省巴中市巴州区回风街道实训基地 2 号楼", region_code="511902", rooms=3, capacity=90,
            reason="本部考点机位不足，大批次考核借用公共实训基地机房", at=demo.ago(30, 10))
        plans.venue_decide(actor=centre, venue=approved, approve=True, at=demo.ago(27, 15),
                           reason="现场核实：机房 3 间、监控全覆盖，符合考核条件")
    if not Venue.objects.filter(institution=main, name="南江县光雾山镇临时考点").exists():
        returned = plans.venue_apply_off_site(
            actor=user, institution=main, name="南江县光雾山镇临时考点",
            address="四川省巴中市南江县光雾山镇游客中心会议室", region_code="511922", rooms=1, capacity=25,
            reason="景区电商从业人员集中，就近组织考核", at=demo.ago(22, 10))
        plans.venue_decide(actor=centre, venue=returned, approve=False, at=demo.ago(19, 16),
                           reason="会议室无视频监控，且无独立候考区，不符合考核场地条件")


def _training_rosters(demo: Demo, people: People) -> None:
    """002 第五条(四): one roster withdrawn (declared in error), one with a trainee taken off."""
    main = _institution(MAIN_BZ)
    if main is None or main.status != Institution.Status.FILED:
        return
    user = demo.user("bz-institution-user")
    if not TrainingRoster.objects.filter(institution=main, title="2026年直播电商短期培训班").exists():
        trainees = list(people.people(6, BAZHONG_COUNTIES))
        roster = registrations.training_roster_declare(
            actor=user, institution=main, title="2026年直播电商短期培训班",
            trainees=[(p.name, p.id_number) for p in trainees], trained_from=demo.day(-75),
            trained_until=demo.day(-68), at=demo.ago(66, 10))
        entry = roster.entries.order_by("pk").last()
        registrations.training_trainee_remove(actor=user, entry=entry, at=demo.ago(65, 11),  # type: ignore[arg-type]
                                              reason="该学员仅报名未参训，签到表无记录，误列入名册")
    if not TrainingRoster.objects.filter(institution=main, title="2026年电商客服岗前培训（误报）").exists():
        roster = registrations.training_roster_declare(
            actor=user, institution=main, title="2026年电商客服岗前培训（误报）",
            trainees=[(p.name, p.id_number) for p in people.people(4, BAZHONG_COUNTIES)],
            trained_from=demo.day(-50), trained_until=demo.day(-48), at=demo.ago(47, 10))
        registrations.training_roster_withdraw(actor=user, roster=roster, at=demo.ago(46, 9),
                                               reason="该培训由合作企业自行组织，本机构未承担培训，误报撤回")


def _wuhai_results_waiting(demo: Demo, people: People) -> None:
    """乌海: the enterprise's second 电工 sitting — examined, results submitted, waiting for the centre."""
    institution = _institution(NM_ENTERPRISE.name)
    title = "电工（四级/中级工）职业技能等级认定（2026年第三批）"
    if institution is None or ExamPlan.objects.filter(title=title).exists() \
            or not ExamPlan.objects.filter(institution=institution).exists():
        return
    user, centre = _account(institution), demo.user("wh-centre-staff")
    rng = seeded("wh-e2")
    scope = InstitutionScope.objects.get(institution=institution, name="电工", level=4)
    venue = _venue(demo, institution, "wh-hrss-filing-official", "恒源集团职工培训中心考点", demo.ago(400, 10))
    closes = demo.workday_on_or_before(demo.day(-14))
    exam = closes + dt.timedelta(days=7)
    plan = _plan(demo, user, institution, venue, scope, title=title, opens=closes - dt.timedelta(days=20),
                 closes=closes, exam=exam, fee="0.00", created=demo.on(closes - dt.timedelta(days=22), 10))
    regs = _register(demo, plan, user, list(people.people(8, WUHAI_DISTRICTS, mongolian=True)),
                     at=demo.on(closes - dt.timedelta(days=2), 10), rng=rng,
                     work_unit="乌海市恒源煤化工集团有限公司热电厂", relations=(Relation.EMPLOYEE, Relation.OUTSOURCED))
    _wuhai_sitting_held(demo, plan, user, centre, regs, rng, closes=closes, exam=exam, roster_days=1,
                        approve_hours=3, mean=75, spread=10,
                        site_record="实操考核分 2 个工位轮换进行，考评员独立评分并签名，未发现违规行为。")


def load(demo: Demo) -> None:
    people = People("skillreg-demo-exams")
    _bazhong(demo, people)
    _renewed_applied(demo, people)
    _expiring_cancelled(demo)
    _wuhai(demo, people)
    # A second source of people, so the sittings above keep the candidates they always had.
    registers = People("skillreg-demo-exams-registers")
    _assessor_pool(demo, registers)
    _venues(demo)
    _training_rosters(demo, registers)
    _wuhai_results_waiting(demo, registers)
