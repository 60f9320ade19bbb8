"""Candidate registration: who may be entered, when, and the roster review (002 第六条(一), 003 三)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.exams import eligibility
from skillreg.exams.idcard import id_problem, mask_id
from skillreg.exams.models import (
    EMPLOYEE_RELATIONS,
    Candidate,
    ExamPlan,
    Registration,
    RegistrationMaterial,
    Relation,
    RosterImport,
    RosterReview,
    TrainingRoster,
    TrainingRosterEntry,
)
from skillreg.exams.services.common import (
    centre_recipients,
    local_date,
    lock_plan,
    pack_of,
    require_centre,
    require_institution_user,
)
from skillreg.files.models import StoredFile
from skillreg.files.services import file_store
from skillreg.files.sniff import FileKind
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import PolicyApplicantKind
from skillreg.registry.models import Institution
from skillreg.workdays.calendar import WorkCalendar

# The columns of a candidate row, in the order of the import template (Chinese headers).
COLUMNS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "education": "文化程度",
    "work_unit": "工作单位/学校",
    "relation": "与机构关系",
    "phone": "联系电话",
}
RELATION_BY_LABEL = {label: value for value, label in Relation.choices} | {v: v for v in Relation.values}
MATERIAL_KINDS = (FileKind.PDF, FileKind.JPEG, FileKind.PNG, FileKind.OFD)
_SQL_CHUNK = 500


class CandidateRow(NamedTuple):
    """One candidate as typed or as read from a roster row. A named tuple, not a frozen
    dataclass: a 100,000-row import builds one per row, at a third of the cost (issue 8, figure 3)."""

    name: str
    id_number: str
    education: str
    work_unit: str = ""
    relation: str = Relation.NONE
    phone: str = ""
    row: int = 0  # the Excel row number, for the error list

    def normalised_id(self) -> str:
        return self.id_number.strip().upper().replace(" ", "")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "source": self.source}


# --- the entry window (002 第六条(一)) ---------------------------------------------------


@dataclass(frozen=True)
class EntryWindow:
    first: dt.date | None  # None: the pack fixes no window; entries run until the deadline
    last: dt.date
    provisional: bool
    source: str | None


def entry_window(plan: ExamPlan, *, calendar: WorkCalendar | None = None) -> EntryWindow:
    """002 第六条(一): candidates are entered within the N working days before the registration
    deadline: the N working days that end on the deadline (the deadline counts when it is one)."""
    rule = pack_of(plan).clocks.candidate_entry
    deadline = plan.registration_closes
    if rule.workdays is None:
        return EntryWindow(None, deadline, False, None)
    cal = calendar or WorkCalendar()
    day, counted, provisional = deadline, 0, False
    first = deadline
    # Walk back over the deadline and the days before it until N working days are covered.
    while counted < rule.workdays:
        info = cal.day(day)
        provisional = provisional or info.provisional
        if info.is_workday:
            counted += 1
            first = day
        day -= dt.timedelta(days=1)
    return EntryWindow(first, deadline, provisional, rule.source)


def check_entry_window(plan: ExamPlan, today: dt.date) -> None:
    if plan.status != ExamPlan.Status.PUBLISHED:
        raise IllegalTransition(f"考核计划当前为“{plan.get_status_display()}”，只有已发布、报名中的计划可以录入考生")
    window = entry_window(plan)
    rule = pack_of(plan).clocks.candidate_entry
    if today > window.last:
        raise DomainError(f"报名已于 {window.last:%Y年%m月%d日} 截止，不能再录入考生", code="entry_late",
                          source=window.source)
    if window.first is not None and today < window.first:
        raise DomainError(f"考生信息应在报名截止日期前 {rule.workdays} 个工作日内录入"
                          f"（{window.first:%Y年%m月%d日}至{window.last:%Y年%m月%d日}）", code="entry_too_early",
                          source=window.source)
    if window.first is None and today < plan.registration_opens:
        raise DomainError(f"报名自 {plan.registration_opens:%Y年%m月%d日} 开始", code="entry_too_early")


# --- the rules every row obeys ------------------------------------------------------


@dataclass
class RegistrationRules:
    """The checks for one plan, with what they need loaded once, so 100,000 rows cost a few queries."""

    plan: ExamPlan
    registered: set[str] = field(default_factory=set)
    trained: set[str] = field(default_factory=set)
    known_names: dict[str, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    kind: PolicyApplicantKind | None = None
    separation_source: str | None = None

    @classmethod
    def for_plan(cls, plan: ExamPlan) -> RegistrationRules:
        rules = cls(plan=plan)
        institution = Institution.objects.select_related("authority").get(pk=plan.institution_id)
        rules.kind = eligibility.applicant_kind(pack_of(plan), institution)
        rules.registered = set(plan.registrations.filter(status=Registration.Status.REGISTERED)
                               .values_list("candidate__id_number", flat=True))
        pack = pack_of(plan)
        rules.separation_source = pack.conduct.training_separation.source
        if pack.conduct.training_separation.value:
            rules.trained = set(TrainingRosterEntry.objects.filter(institution_id=plan.institution_id,
                                                                   roster__withdrawn_at__isnull=True)
                                .values_list("id_number", flat=True))
        return rules

    def preload_names(self, ids: Iterable[str]) -> None:
        wanted = sorted({i for i in ids if i not in self.known_names})
        for start in range(0, len(wanted), _SQL_CHUNK):
            chunk = wanted[start:start + _SQL_CHUNK]
            self.known_names.update(Candidate.objects.filter(id_number__in=chunk).values_list("id_number", "name"))

    def check(self, row: CandidateRow, *, today: dt.date) -> list[RowError]:
        errors: list[RowError] = []
        n = row.row

        def bad(column: str, reason: str, source: str | None = None) -> None:
            errors.append(RowError(n, COLUMNS[column], reason, source))

        name = row.name.strip()
        if not name:
            bad("name", "姓名不能为空")
        elif len(name) > 50:
            bad("name", "姓名过长（最多 50 字）")
        problem = id_problem(row.id_number, today=today)
        number = row.normalised_id()
        if problem:
            bad("id_number", problem)
        if not row.education.strip():
            bad("education", "文化程度不能为空（学历/学籍证明须与之相符）")
        relation = RELATION_BY_LABEL.get(row.relation.strip() or Relation.NONE)
        if relation is None:
            bad("relation", f"“{row.relation}”不是可选的关系：{'、'.join(Relation.labels)}")
        if problem:
            return errors
        kind = self.kind
        # 003 三(一): an enterprise assesses only its own workers, dispatched and outsourced included.
        if kind is not None and kind.key == "enterprise" and relation not in EMPLOYEE_RELATIONS:
            bad("relation", f"企业评价机构只能{kind.scope}开展认定，请申报与本企业的用工关系", kind.source)
        # 003 三(二): a 技工院校 assesses only its own students.
        if kind is not None and kind.key == "technical-school" and relation != Relation.STUDENT:
            bad("relation", f"技工院校只能{kind.scope}开展认定", kind.source)
        # 002 第五条(四): 考培分离 — never the trainees of the institution's own training.
        if number in self.trained:
            bad("id_number", "该考生在本机构申报的培训学员名册中；考培分离，本机构不得对其培训的学员开展考核",
                self.separation_source)
        if number in self.registered:
            bad("id_number", "该考生已报名本次考核，不能重复报名")
        elif number in self.seen:
            bad("id_number", f"与第 {self.seen[number]} 行为同一考生，不能重复报名")
        known = self.known_names.get(number)
        if known is not None and name and known != name:
            bad("name", "姓名与该身份证号码已登记的考生姓名不一致，请核对")
        if not errors:
            self.seen[number] = n
        return errors


def _raise_first(errors: Sequence[RowError]) -> None:
    first = errors[0]
    field_name = next((k for k, v in COLUMNS.items() if v == first.column), None)
    message = "；".join(e.reason for e in errors)
    if first.source:
        raise DomainError(message, code="registration_refused", source=first.source, field=field_name)
    raise InvalidInput(message, field=field_name)


def _candidates_for(rows: Sequence[CandidateRow], *, at: dt.datetime) -> dict[str, Candidate]:
    from skillreg.exams.idcard import parse_id

    ids = sorted({r.normalised_id() for r in rows})
    found: dict[str, Candidate] = {}
    for start in range(0, len(ids), _SQL_CHUNK):
        found.update({c.id_number: c for c in Candidate.objects.filter(id_number__in=ids[start:start + _SQL_CHUNK])})
    today = local_date(at)
    new: list[Candidate] = []
    queued: set[str] = set()
    for row in rows:
        number = row.normalised_id()
        if number in found or number in queued:
            continue
        queued.add(number)
        parsed = parse_id(number, today=today)
        new.append(Candidate(id_number=number, name=row.name.strip(), gender=parsed.gender,
                             birth_date=parsed.birth_date, created_at=at))
    for start in range(0, len(new), 1000):
        for candidate in Candidate.objects.bulk_create(new[start:start + 1000]):
            found[candidate.id_number] = candidate
    if any(c.pk is None for c in found.values()):  # backends that do not return keys
        for start in range(0, len(ids), _SQL_CHUNK):
            chunk = ids[start:start + _SQL_CHUNK]
            found.update({c.id_number: c for c in Candidate.objects.filter(id_number__in=chunk)})
    return found


def _registration(plan: ExamPlan, candidate: Candidate, row: CandidateRow, *, actor: Any, at: dt.datetime,
                  roster_import: RosterImport | None = None) -> Registration:
    return Registration(
        plan=plan, candidate=candidate, name=row.name.strip(), education=row.education.strip(),
        work_unit=row.work_unit.strip(), relation=RELATION_BY_LABEL[row.relation.strip() or Relation.NONE],
        # A roster import's rows: the import records who uploaded and accepted them (models/candidates.py).
        phone=row.phone.strip(), entered_at=at, entered_by=None if roster_import is not None else actor,
        roster_import=roster_import,
    )


@transaction.atomic
def registration_create(*, actor: Any, plan: ExamPlan, row: CandidateRow, at: dt.datetime) -> Registration:
    """One candidate entered by the institution; refused with the clause when a rule says no."""
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    today = local_date(at)
    check_entry_window(plan, today)
    rules = RegistrationRules.for_plan(plan)
    rules.preload_names([row.normalised_id()])
    errors = rules.check(row, today=today)
    if errors:
        _raise_first(errors)
    candidate = _candidates_for([row], at=at)[row.normalised_id()]
    registration = _registration(plan, candidate, row, actor=actor, at=at)
    registration.save()
    audit.record(actor=actor, action="exams.candidate_registered", obj=registration, at=at,
                 summary=f"录入考生 {registration.name}（{mask_id(candidate.id_number)}）",
                 after={"plan": str(plan.public_id), "relation": registration.relation})
    return registration


def registrations_bulk_create(*, actor: Any, plan: ExamPlan, rows: Sequence[CandidateRow], at: dt.datetime,
                              roster_import: RosterImport | None = None) -> int:
    """Write every row or none: the caller holds the transaction (one per import commit).

    Rows are checked again here; if anything changed since the check (another entry, a
    training roster, the deadline), the whole commit is refused and nothing is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registrations_bulk_create must run inside the import's transaction")
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    today = local_date(at)
    check_entry_window(plan, today)
    rules = RegistrationRules.for_plan(plan)
    rules.preload_names(r.normalised_id() for r in rows)
    errors = [e for row in rows for e in rules.check(row, today=today)]
    if errors:
        raise DomainError(f"导入前复核发现 {len(errors)} 处问题（名册或报名情况已变化），"
                          "本次未写入任何数据，请重新上传校验",
                          code="import_stale")
    candidates = _candidates_for(rows, at=at)
    batch = [_registration(plan, candidates[r.normalised_id()], r, actor=actor, at=at, roster_import=roster_import)
             for r in rows]
    Registration.objects.bulk_create(batch, batch_size=1000)
    audit.record(actor=actor, action="exams.roster_imported", obj=plan, at=at,
                 summary=f"导入考生名册 {len(batch)} 人",
                 after={"count": len(batch), "import": str(roster_import.public_id) if roster_import else None})
    return len(batch)


@transaction.atomic
def registration_withdraw(*, actor: Any, registration: Registration, reason: str, at: dt.datetime) -> Registration:
    plan = lock_plan(registration.plan)
    require_institution_user(actor, plan.institution_id)
    if plan.status != ExamPlan.Status.PUBLISHED:
        raise IllegalTransition("考核申请报送后不能再撤销报名")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.REGISTERED:
        raise IllegalTransition("该报名已撤销")
    registration.status = Registration.Status.WITHDRAWN
    registration.save(update_fields=["status"])
    audit.record(actor=actor, action="exams.registration_withdrawn", obj=registration, at=at,
                 summary=f"撤销报名：{registration.name}（{reason.strip() or '未说明'}）")
    return registration


def material_items(plan: ExamPlan) -> dict[str, str]:
    """The 一表一书两证明 the pack asks for, key → name (empty where the pack is silent)."""
    return {item.key: item.name for item in pack_of(plan).exams.candidate_materials.items}


@transaction.atomic
def registration_attach_material(*, actor: Any, registration: Registration, key: str, upload: Any,
                                 at: dt.datetime) -> RegistrationMaterial:
    plan = registration.plan
    require_institution_user(actor, plan.institution_id)
    items = material_items(plan)
    if key not in items:
        raise InvalidInput(f"材料类别“{key}”不在本政策要求的报名材料中", field="key")
    stored = file_store(actor=actor, upload=upload, allowed_kinds=MATERIAL_KINDS, at=at)
    material, _ = RegistrationMaterial.objects.update_or_create(
        registration=registration, key=key,
        defaults={"file": stored, "uploaded_at": at, "uploaded_by": actor},
    )
    audit.record(actor=actor, action="exams.registration_material", obj=registration, at=at,
                 summary=f"上传报名材料：{items[key]}", after={"key": key, "sha256": stored.sha256})
    return material


def missing_materials(plan: ExamPlan) -> dict[int, list[str]]:
    """Registration pk → names of the 一表一书两证明 still missing."""
    items = material_items(plan)
    if not items:
        return {}
    have: dict[int, set[str]] = {}
    for reg_id, key in RegistrationMaterial.objects.filter(
            registration__plan=plan, registration__status=Registration.Status.REGISTERED,
    ).values_list("registration_id", "key"):
        have.setdefault(reg_id, set()).add(key)
    result = {}
    for reg_id in plan.registrations.filter(status=Registration.Status.REGISTERED).values_list("pk", flat=True):
        missing = [name for key, name in items.items() if key not in have.get(reg_id, set())]
        if missing:
            result[reg_id] = missing
    return result


# --- roster review by the centre (002 第六条(一)) -----------------------------------------


@transaction.atomic
def roster_submit(*, actor: Any, plan: ExamPlan, quality_letter: StoredFile, at: dt.datetime) -> RosterReview:
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    source = pack_of(plan).exams.candidate_materials.source
    if plan.status != ExamPlan.Status.PUBLISHED:
        raise IllegalTransition(f"考核计划当前为“{plan.get_status_display()}”，不能报送名册")
    if plan.roster_reviews.exclude(status=RosterReview.Status.RETURNED).exists():
        raise IllegalTransition("名册已报送，待鉴定中心复审或已核准")
    count = plan.registrations.filter(status=Registration.Status.REGISTERED).count()
    if count == 0:
        raise DomainError("名册中还没有考生", code="roster_empty")
    missing = missing_materials(plan)
    if missing:
        raise DomainError(f"{len(missing)} 名考生的“一表一书两证明”附件不全，请补齐后再报送", code="materials_missing",
                          source=source)
    review = RosterReview.objects.create(plan=plan, quality_letter=quality_letter, roster_count=count,
                                         submitted_at=at, submitted_by=actor)
    audit.record(actor=actor, action="exams.roster_submitted", obj=plan, at=at,
                 summary=f"报送报名质量责任书和考核人员花名册（{count} 人）", after={"count": count})
    transaction.on_commit(lambda: notify(
        recipients=centre_recipients(plan.region_code), subject="报名名册待复审",
        body=f"{plan.institution.name}：{plan.title}，{count} 人", related=plan, at=at))
    return review


@transaction.atomic
def roster_decide(*, actor: Any, review: RosterReview, approve: bool, reason: str = "",
                  at: dt.datetime) -> RosterReview:
    review = RosterReview.objects.select_for_update().select_related("plan__institution").get(pk=review.pk)
    plan = review.plan
    require_centre(actor, plan.region_code)
    if review.status != RosterReview.Status.SUBMITTED:
        raise IllegalTransition(f"该名册当前为“{review.get_status_display()}”，不能再审核")
    if not approve and not reason.strip():
        raise InvalidInput("退回须写明理由", field="reason")
    review.status = RosterReview.Status.APPROVED if approve else RosterReview.Status.RETURNED
    review.decided_at, review.decided_by, review.reason = at, actor, reason.strip()
    review.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    audit.record(actor=actor, action="exams.roster_decided", obj=plan, at=at,
                 after={"status": review.status, "reason": review.reason},
                 summary="名册复审核准" if approve else f"名册退回：{review.reason}")
    institution = plan.institution
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(institution), subject="报名名册复审结果",
        body=f"{plan.title}：{review.get_status_display()}。{review.reason}", related=plan, at=at))
    return review


# --- training rosters (002 第五条(四)) -----------------------------------------------------

TRAINEE_COLUMNS = {"name": "姓名", "id_number": "身份证号码"}


def _separation_source(institution: Institution) -> str | None:
    return get_pack(institution.pack_id).conduct.training_separation.source


def trainee_problems(trainees: Sequence[tuple[int, str, str]], *, today: dt.date) -> list[RowError]:
    """Every problem of (row, name, 身份证号码) trainee rows: empty name, bad number, a repeat."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row, name, number in trainees:
        if not name.strip():
            errors.append(RowError(row, "姓名", "姓名不能为空"))
        elif len(name.strip()) > 50:
            errors.append(RowError(row, "姓名", "姓名过长（最多 50 字）"))
        problem = id_problem(number, today=today)
        if problem:
            errors.append(RowError(row, "身份证号码", problem))
            continue
        normalised = number.strip().upper().replace(" ", "")
        if normalised in seen:
            errors.append(RowError(row, "身份证号码", f"与第 {seen[normalised]} 行为同一学员"))
        else:
            seen[normalised] = row
    return errors


@transaction.atomic
def training_roster_declare(*, actor: Any, institution: Institution, title: str,
                            trainees: Sequence[tuple[str, str]], at: dt.datetime,
                            trained_from: dt.date | None = None,
                            trained_until: dt.date | None = None) -> TrainingRoster:
    """The institution declares a training class: (name, 身份证号码) per trainee; all valid or nothing."""
    require_institution_user(actor, institution.pk)
    if not title.strip():
        raise InvalidInput("请填写培训班名称", field="title")
    if len(title.strip()) > 200:
        raise InvalidInput("培训班名称过长（最多 200 字）", field="title")
    if trained_from and trained_until and trained_until < trained_from:
        raise InvalidInput("培训结束日期不能早于开始日期", field="trained_until")
    if not trainees:
        raise InvalidInput("请至少填写一名培训学员（姓名和身份证号码）", field="trainees")
    today = local_date(at)
    errors = trainee_problems([(i, name, number) for i, (name, number) in enumerate(trainees, start=1)],
                              today=today)
    if errors:
        raise InvalidInput("；".join(f"第 {e.row} 名学员：{e.reason}" for e in errors[:20])
                           + ("……" if len(errors) > 20 else ""), field="trainees")
    entries = [(name.strip(), number.strip().upper().replace(" ", "")) for name, number in trainees]
    roster = TrainingRoster.objects.create(institution=institution, title=title.strip(), trained_from=trained_from,
                                           trained_until=trained_until, declared_at=at, declared_by=actor)
    TrainingRosterEntry.objects.bulk_create(
        [TrainingRosterEntry(roster=roster, institution=institution, id_number=n, name=name) for name, n in entries],
        batch_size=1000)
    audit.record(actor=actor, action="exams.training_roster_declared", obj=roster, at=at,
                 summary=f"申报培训学员名册：{roster.title}（{len(entries)} 人）",
                 after={"count": len(entries), "source": _separation_source(institution)})
    return roster


@transaction.atomic
def training_roster_withdraw(*, actor: Any, roster: TrainingRoster, reason: str, at: dt.datetime) -> TrainingRoster:
    """A roster declared in error is withdrawn with a reason; its trainees are no longer refused."""
    roster = TrainingRoster.objects.select_for_update().get(pk=roster.pk)
    require_institution_user(actor, roster.institution_id)
    if roster.withdrawn_at is not None:
        raise IllegalTransition("该培训学员名册已撤回")
    if not reason.strip():
        raise InvalidInput("撤回须写明原因", field="reason")
    roster.withdrawn_at, roster.withdrawn_by, roster.withdrawal_reason = at, actor, reason.strip()
    roster.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit.record(actor=actor, action="exams.training_roster_withdrawn", obj=roster, at=at,
                 before={"withdrawn": False}, after={"withdrawn": True, "reason": roster.withdrawal_reason},
                 summary=f"撤回培训学员名册：{roster.title}（{roster.withdrawal_reason}）")
    return roster


@transaction.atomic
def training_trainee_remove(*, actor: Any, entry: TrainingRosterEntry, reason: str, at: dt.datetime) -> None:
    """One trainee declared in error is taken off the roster, with a reason (audited, number masked)."""
    roster = TrainingRoster.objects.select_for_update().get(pk=entry.roster_id)
    require_institution_user(actor, roster.institution_id)
    if roster.withdrawn_at is not None:
        raise IllegalTransition("该培训学员名册已撤回")
    if not reason.strip():
        raise InvalidInput("移除学员须写明原因", field="reason")
    before = {"name": entry.name, "id_number": mask_id(entry.id_number)}
    entry.delete()
    audit.record(actor=actor, action="exams.training_trainee_removed", obj=roster, at=at, before=before,
                 summary=f"从培训学员名册“{roster.title}”移除 {before['name']}（{before['id_number']}）："
                         f"{reason.strip()}")
