"""The demo set (``skillreg demo-data``, what ``make run`` shows) covers every path of the
system, through the real services, and loads once: a second run creates nothing.

One load for the whole module would need its own transaction handling; the demo is loaded
in one test and each part of the system checked by a helper named for what it shows.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from skillreg.accounts.models import User
from skillreg.archives.models import ArchiveRecord, DestructionLedgerEntry, ScreeningRun
from skillreg.audit.services import verify_chain
from skillreg.certificates.models import Certificate
from skillreg.core import clock
from skillreg.evaluation.models import Panel, PanelMember
from skillreg.exams.models import (
    AnswerSheet,
    Assessor,
    AssessorAssignment,
    ExamPlan,
    ScoreSheet,
    TrainingRoster,
    Venue,
)
from skillreg.registry.models import (
    Application,
    BranchReport,
    CancellationRequest,
    ChangeFiling,
    DirectoryEntry,
    Institution,
    InstitutionScope,
    ProjectRequest,
    StopOrder,
)
from skillreg.supervision.models import (
    AnnualReport,
    BlacklistEntry,
    Complaint,
    Evaluation,
    InactivityFlag,
    Inspection,
    InspectionPlan,
    Rectification,
    TerminationProposal,
    ViolationRecord,
)
from skillreg.supervision.selectors import dashboard
from skillreg.supervision.services.complaints import is_overdue
from skillreg.web.demo import COUNTED_APPS, DemoResult, demo_load, load_demo

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/public/certificates/verify"
# 003 四(七): 13-character body code (Y/S + 0000 + province 15 + 6 digits), year, level, serial.
NATIONAL_NUMBER = re.compile(r"^[YS]000015\d{6}\d{2}[1-5]\d{6}$")


def _every_application_status_is_shown() -> None:
    shown = set(Application.objects.values_list("status", flat=True))
    assert shown == set(Application.Status.values), set(Application.Status.values) - shown


def _panels_are_real_and_the_named_experts_sit_on_them() -> None:
    for status in (Application.Status.EVALUATED, Application.Status.FILED):
        for app in Application.objects.filter(status=status).exclude(pack_id="nm-2021-skill-level"):
            panel = Panel.objects.filter(application=app, concluded_at__isnull=False).first()
            assert panel is not None, f"{app.institution.name}: 没有形成结论的专家组"
            assert panel.members.filter(status=PanelMember.Status.SUBMITTED).count() == panel.size
    evaluating = Application.objects.get(status=Application.Status.EVALUATING)
    open_panel = Panel.objects.get(application=evaluating, concluded_at__isnull=True)
    assert open_panel.members.filter(status=PanelMember.Status.DRAWN).exists()  # an expert still to score
    for username in ("bz-expert", "wh-expert"):
        assert PanelMember.objects.filter(expert__user__username=username,
                                          status=PanelMember.Status.SUBMITTED).exists(), username
    # A declined member and the replacement draw; a failed evaluation before the refusal.
    assert PanelMember.objects.filter(status=PanelMember.Status.REPLACED).exists()
    assert Panel.objects.filter(passed=False, application__status=Application.Status.REFUSED).exists()


def _every_lifecycle_state_is_shown(today: dt.date) -> None:
    filed = Institution.objects.filter(status=Institution.Status.FILED)
    assert filed.filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=60)).exists()
    # Renewed: submitted before the old end; the new validity continues from it.
    renewal = Application.objects.get(kind=Application.Kind.RENEWAL, status=Application.Status.FILED)
    filing = renewal.filing  # type: ignore[attr-defined]
    assert renewal.submitted_at is not None
    assert renewal.submitted_at.astimezone(clock.LOCAL_TZ).date() < filing.valid_from
    # An approved identity change: the directory keeps both versions.
    change = ChangeFiling.objects.get(status=ChangeFiling.Status.APPROVED, kind=ChangeFiling.Kind.IDENTITY)
    assert DirectoryEntry.objects.filter(institution=change.institution).count() >= 2
    assert ChangeFiling.objects.filter(status=ChangeFiling.Status.SUBMITTED).exists()
    assert InstitutionScope.objects.filter(suspended_at__isnull=False).exists()
    assert CancellationRequest.objects.filter(status=CancellationRequest.Status.CONFIRMED,
                                              institution__status=Institution.Status.CANCELLED).exists()
    assert StopOrder.objects.exists() and BranchReport.objects.exists()
    states = set(ProjectRequest.objects.filter(region_code="620000").values_list("status", flat=True))
    assert states == set(ProjectRequest.Status.values)
    assert set(Institution.objects.values_list("status", flat=True)) >= {
        Institution.Status.REGISTERED, Institution.Status.FILED, Institution.Status.CANCELLED,
        Institution.Status.REVOKED}


def _supervision_is_shown(today: dt.date) -> None:
    plan = InspectionPlan.objects.get(authority__name="巴中市人力资源和社会保障局")
    assert plan.status == InspectionPlan.Status.PUBLISHED
    inspections = plan.inspections.all()
    assert inspections and all(i.status == Inspection.Status.PUBLISHED for i in inspections)
    assert all(i.inspectors.filter(username="bz-supervisor").exists() for i in inspections)
    assert all(i.findings.count() == len(plan.items) for i in inspections)
    # 002 第二十条: 不合格 → an open rectification.
    failed = Evaluation.objects.get(grade="不合格")
    assert Rectification.objects.filter(evaluation=failed, status=Rectification.Status.OPEN).exists()
    assert ViolationRecord.objects.filter(decision_step="通报批评").exists()
    pending = TerminationProposal.objects.get(status=TerminationProposal.Status.PROPOSED)
    approver = User.objects.get(username="bz-approving-official")
    assert approver.authority is not None and approver.authority.covers(pending.institution.region_code)
    states = set(Complaint.objects.values_list("status", flat=True))
    assert states == set(Complaint.Status.values)
    assert any(is_overdue(c, today) for c in Complaint.objects.all())
    listed = BlacklistEntry.objects.get()
    assert listed.institution is not None
    assert listed.institution.pack_id == "nm-2021-skill-level" and listed.institution.region_code.startswith("1503")
    assert listed.institution.status == Institution.Status.REVOKED
    # 002 第五条(五): plans and summaries on time and late, and one body overdue on the dashboard.
    assert AnnualReport.objects.filter(late=False).exists() and AnnualReport.objects.filter(late=True).exists()
    official = User.objects.get(username="bz-filing-official")
    assert dashboard(official, today).overdue_reports
    # A flag the official dismissed stays dismissed at today's sweep (open ones remain for decision).
    assert InactivityFlag.objects.filter(status=InactivityFlag.Status.DISMISSED).exists()
    assert InactivityFlag.objects.filter(status=InactivityFlag.Status.OPEN).exists()
    dismissed = InactivityFlag.objects.get(status=InactivityFlag.Status.DISMISSED)
    assert not InactivityFlag.objects.filter(institution=dismissed.institution,
                                             status=InactivityFlag.Status.OPEN).exists()


def _exams_and_certificates_are_shown() -> None:
    shown = set(ExamPlan.objects.values_list("status", flat=True))
    assert shown == set(ExamPlan.Status.values), set(ExamPlan.Status.values) - shown
    # The registers in several states: the assessor pool, off-site venues, training rosters.
    assert not Assessor.objects.filter(id_number="").exists()
    assert Assessor.objects.filter(active=False).exclude(deactivation_reason="").exists()
    assert Assessor.objects.filter(employer__isnull=False).exists()
    assert {(v.kind, v.status) for v in Venue.objects.all()} >= {
        (Venue.Kind.FILED, Venue.Status.APPROVED), (Venue.Kind.OFF_SITE, Venue.Status.PENDING),
        (Venue.Kind.OFF_SITE, Venue.Status.APPROVED), (Venue.Kind.OFF_SITE, Venue.Status.RETURNED)}
    assert TrainingRoster.objects.filter(withdrawn_at__isnull=True).exists()
    assert TrainingRoster.objects.filter(withdrawn_at__isnull=False).exists()
    assert ExamPlan.objects.get(status=ExamPlan.Status.PUBLISHED).registrations.exists()
    mine = AssessorAssignment.objects.filter(assessor__user__username="bz-assessor")
    assert ScoreSheet.objects.filter(assignment__in=mine, submitted_at__isnull=False).exists()
    assert AnswerSheet.objects.exists()
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 1
    national = Certificate.objects.filter(pack_id="nm-2021-skill-level")
    assert national.exists() and all(NATIONAL_NUMBER.match(c.number) for c in national)


def _certificates_verify_publicly() -> None:
    cache.clear()  # the public endpoint's rate limit counts in the cache
    client = Client()
    for cert in (Certificate.objects.filter(status=Certificate.Status.VALID).first(),
                 Certificate.objects.filter(pack_id="nm-2021-skill-level").first(),
                 Certificate.objects.get(status=Certificate.Status.REVOKED)):
        assert cert is not None
        body = client.get(VERIFY, {"number": cert.number}).json()
        assert body["status"] == cert.status and body["holder_name"] == cert.holder_name, body
    cache.clear()


def _archives_are_shown(today: dt.date) -> None:
    run = ScreeningRun.objects.get()
    assert run.status == ScreeningRun.Status.DONE and run.flagged_pair_count >= 2
    due = ArchiveRecord.objects.filter(status=ArchiveRecord.Status.KEPT, retain_until__lt=today)
    assert due.exists()
    assert DestructionLedgerEntry.objects.exists()
    assert ArchiveRecord.objects.filter(status=ArchiveRecord.Status.HELD).exists()


def test_the_demo_shows_every_path_and_a_second_run_creates_nothing() -> None:
    accounts, created = load_demo()
    assert created and {"bz-expert", "wh-assessor", "gs-centre-staff"} <= {a.username for a in accounts}
    today = clock.today()
    _every_application_status_is_shown()
    _panels_are_real_and_the_named_experts_sit_on_them()
    _every_lifecycle_state_is_shown(today)
    _supervision_is_shown(today)
    _exams_and_certificates_are_shown()
    _certificates_verify_publicly()
    _archives_are_shown(today)
    assert verify_chain().ok

    again = demo_load()
    assert not again.created, again.created_rows
    assert again.counts_line() == "本次新建记录：无。"
    assert verify_chain().ok


def test_the_summary_line_counts_what_each_app_created() -> None:
    result = DemoResult(accounts=[], created_rows=dict.fromkeys(COUNTED_APPS, 0) | {"registry": 12, "exams": 3})
    assert result.created
    assert result.counts_line() == "本次新建记录：机构备案 12、考务 3。"
