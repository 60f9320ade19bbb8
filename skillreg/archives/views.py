"""Pages: screening runs and their reports, archive records, the due list, the ledger.

Thin: parse, fetch through a scoped selector (404 for what the user may not see), call the
same service the API calls, render. A refusal becomes a message with its clause.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.archives import exports, report, screening, selectors, services, similarity
from skillreg.archives.forms import DestroyForm, HoldForm, RecordForm, ScreeningForm, SittingScreeningForm
from skillreg.archives.models import ArchiveRecord, ScreeningRun
from skillreg.archives.retention import SILENT, destroyable_from
from skillreg.archives.sheets_io import SheetImportError, read_upload
from skillreg.core import clock
from skillreg.core.errors import DomainError


def _refusal(exc: DomainError) -> str:
    return exc.message + (f"（依据：{exc.source}）" if exc.source else "")


def _is_official(user: Any) -> bool:
    return user.role in OFFICIAL_ROLES or user.role == Role.SYSADMIN


@login_required
def index(request: HttpRequest) -> HttpResponse:
    records = selectors.records_for(request.user)
    today = clock.today()
    return render(request, "archives/index.html", {
        "can_screen": _is_official(request.user),
        "runs": selectors.runs_for(request.user)[:10],
        "record_count": records.exclude(status=ArchiveRecord.Status.DESTROYED).count(),
        "due_count": selectors.due_records(records, today).count(),
        "silent_count": selectors.silent_records(records).count(),
        "ledger_count": selectors.ledger_for(request.user).count(),
    })


# --- similarity screening ------------------------------------------------------------------


@login_required
def screenings(request: HttpRequest) -> HttpResponse:
    if not _is_official(request.user):
        raise Http404
    institutions = selectors.screenable_institutions(request.user)
    sittings = selectors.screenable_sittings(request.user)
    form = ScreeningForm(institutions=institutions)
    sitting_form = SittingScreeningForm(sittings=sittings)
    import_errors: list[Any] = []
    if request.method == "POST" and request.POST.get("source") == "sitting":
        # 000 三(三)8: a sitting screened straight from the answer sheets the exams app holds.
        sitting_form = SittingScreeningForm(request.POST, sittings=sittings)
        if sitting_form.is_valid():
            data = sitting_form.cleaned_data
            try:
                run = screening.screening_start_from_sitting(
                    actor=request.user, plan=data["plan"], title=data["title"] or "", key_text=data["key"] or "",
                    alpha=data["alpha"], at=clock.now())
            except DomainError as exc:
                sitting_form.add_error(exc.field if exc.field in sitting_form.fields else None, _refusal(exc))
            else:
                messages.success(request, f"已读取 {run.sheet_count} 份答卷，正在后台计算。")
                return redirect("archives:screening", public_id=run.public_id)
    elif request.method == "POST":
        form = ScreeningForm(request.POST, request.FILES, institutions=institutions)
        if form.is_valid():
            try:
                data, name = read_upload(form.cleaned_data["file"])
                run = screening.screening_start(
                    actor=request.user, institution=form.cleaned_data["institution"],
                    title=form.cleaned_data["title"], data=data, source_name=name,
                    key_text=form.cleaned_data["key"] or "", alpha=form.cleaned_data["alpha"], at=clock.now())
            except SheetImportError as exc:
                form.add_error(None, exc.message)
                import_errors = exc.errors
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _refusal(exc))
            else:
                messages.success(request, f"已导入 {run.sheet_count} 份答卷，正在后台计算。")
                return redirect("archives:screening", public_id=run.public_id)
    return render(request, "archives/screenings.html", {
        "form": form, "sitting_form": sitting_form, "has_sittings": sittings.exists(),
        "import_errors": import_errors, "runs": selectors.runs_for(request.user)[:100],
        "method": similarity.METHOD_NAME, "method_text": report.METHOD_TEXT,
    })


@login_required
def screening_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    run = selectors.run_for(request.user, public_id)
    can_act = run.status == ScreeningRun.Status.DONE and screening.can_screen(request.user, run.institution)
    rooms: list[dict[str, Any]] = []
    for room in (run.rooms.select_related("violation").prefetch_related("flagged")
                 .order_by("-share", "-flagged_pairs", "room")):
        pairs = [{"pair": p, "reading": report.pair_reading(p),
                  "items": report.shared_items_text(p, run.item_names), "p": similarity.format_p(p.p_value)}
                 for p in room.flagged.all()]
        rooms.append({"room": room, "reading": report.room_reading(run, room), "pairs": pairs,
                      "can_open_violation": bool(can_act and room.reaches_rule and room.violation_id is None),
                      "threshold": similarity.format_p(room.pair_alpha) if room.pair_alpha else "—",
                      "min_p": similarity.format_p(room.min_p) if room.min_p is not None else "—",
                      "percent": report.percent(room.share)})
    show_all = request.GET.get("all") == "1"
    flagged_rooms = [r for r in rooms if r["room"].flagged_pairs]
    return render(request, "archives/screening_detail.html", {
        "run": run, "rooms": rooms if show_all else flagged_rooms, "show_all": show_all,
        "quiet_rooms": len(rooms) - len(flagged_rooms), "histogram": report.histogram(run),
        "method": similarity.METHOD_NAME, "method_text": report.METHOD_TEXT, "caveat": report.CAVEAT,
        "key_note": report.KEY_MODAL if run.key_derivation == "modal" else report.KEY_GIVEN,
        "rule": report.fraction_text(run), "running": run.status in (ScreeningRun.Status.QUEUED,
                                                                       ScreeningRun.Status.RUNNING),
        "can_retry": run.status == ScreeningRun.Status.FAILED,
    })


@login_required
def screening_xlsx(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return exports.export_run(selectors.run_for(request.user, public_id))


@login_required
@require_POST
def screening_violation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Open a violation record for the institution on a room that reaches 000 三(三)8."""
    run = selectors.run_for(request.user, public_id)
    room = selectors.room_for(request.user, run, request.POST.get("room", ""))
    try:
        record = screening.screening_room_open_violation(actor=request.user, room=room, at=clock.now(),
                                                         note=request.POST.get("note", "")[:500])
    except DomainError as exc:
        messages.error(request, _refusal(exc))
        return redirect("archives:screening", public_id=run.public_id)
    messages.success(request, f"已就考场 {room.room} 立违规记录（{record.source}），请在违规记录中处理。")
    return redirect("supervision:violation", public_id=record.public_id)


@login_required
@require_POST
def screening_retry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    run = selectors.run_for(request.user, public_id)
    try:
        screening.screening_retry(actor=request.user, run=run, at=clock.now())
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    return redirect("archives:screening", public_id=run.public_id)


# --- archive records -------------------------------------------------------------------------


@login_required
def records(request: HttpRequest) -> HttpResponse:
    institutions = selectors.keeping_institutions(request.user)
    form = RecordForm(institutions=institutions, initial={"made_on": clock.today()})
    sittings = selectors.record_sittings(request.user)
    if request.method == "POST" and request.POST.get("action") == "sitting":
        plan = selectors.record_sitting_for(request.user, request.POST.get("plan", ""))
        try:
            if not services.can_keep(request.user, plan.institution):
                raise services.Forbidden("您无权为该机构登记档案。")
            created = services.archive_records_from_sitting(actor=request.user, plan=plan, at=clock.now())
        except DomainError as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(request, f"已登记“{plan.title}”的 {len(created)} 项档案，保存期按政策包计算。")
        return redirect("archives:records")
    if request.method == "POST":
        form = RecordForm(request.POST, institutions=institutions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.archive_record_create(
                    actor=request.user, institution=data["institution"], kind=data["kind"],
                    category=data["category"], title=data["title"], made_on=data["made_on"],
                    sitting=data["sitting"], at=clock.now())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _refusal(exc))
            else:
                messages.success(request, f"已登记档案“{record.title}”。")
                return redirect("archives:record", public_id=record.public_id)
    today = clock.today()
    qs = selectors.search(selectors.records_for(request.user), request.GET.get("q", ""))
    due = request.GET.get("due") == "1"
    if due:
        qs = selectors.due_records(qs, today)
    return render(request, "archives/records.html", {
        "form": form, "records": qs[:500], "due": due, "q": request.GET.get("q", ""), "today": today,
        "silent": SILENT, "sittings": sittings[:200],
    })


@login_required
def record_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    record = selectors.record_for(request.user, public_id)
    user: Any = request.user
    hold_form, destroy_form = HoldForm(), DestroyForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "hold":
                hold_form = HoldForm(request.POST)
                if hold_form.is_valid():
                    services.archive_hold(actor=user, record=record, reason=hold_form.cleaned_data["reason"],
                                          at=clock.now())
                    messages.success(request, "已留置。")
                    return redirect("archives:record", public_id=record.public_id)
            elif action == "release":
                services.archive_release(actor=user, record=record, at=clock.now())
                messages.success(request, "已解除留置。")
                return redirect("archives:record", public_id=record.public_id)
            elif action == "approve":
                services.archive_destruction_approve(actor=user, record=record, at=clock.now())
                messages.success(request, "已批准销毁。")
                return redirect("archives:record", public_id=record.public_id)
            elif action == "destroy":
                destroy_form = DestroyForm(request.POST)
                if destroy_form.is_valid():
                    data = destroy_form.cleaned_data
                    services.archive_destroy(actor=user, record=record, method=data["method"],
                                             witness=data["witness"], method_detail=data["method_detail"],
                                             at=clock.now())
                    messages.success(request, "已销毁并登记台账。")
                    return redirect("archives:record", public_id=record.public_id)
            else:
                messages.error(request, "未知操作。")
        except DomainError as exc:
            messages.error(request, _refusal(exc))
        record = selectors.record_for(request.user, public_id)
    today = clock.today()
    inst = record.institution
    return render(request, "archives/record_detail.html", {
        "record": record, "hold_form": hold_form, "destroy_form": destroy_form, "silent": SILENT,
        "destroyable_from": destroyable_from(record.retain_until) if record.retain_until else None,
        "is_due": bool(record.retain_until and today > record.retain_until),
        "can_hold": services.can_hold(user, inst), "can_approve": services.can_approve(user, inst),
        "can_keep": services.can_keep(user, inst),
        "entry": getattr(record, "ledger_entry", None) if record.status == ArchiveRecord.Status.DESTROYED else None,
    })


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    return render(request, "archives/ledger.html", {"entries": selectors.ledger_for(request.user)[:1000]})


@login_required
def ledger_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return exports.export_ledger(selectors.ledger_for(request.user), fmt)
