"""Pages for applications: worklist, the application's whole story, and the actions on it.

Thin: parse, fetch through a scoped selector (404 for what the user may not see), call the
same service the API calls, render. A refusal becomes a message on the page, with its clause.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillreg.accounts.models import Authority, Role
from skillreg.audit.selectors import timeline_for
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.core.spreadsheet import safe_cell
from skillreg.files.views import content_disposition
from skillreg.policies.registry import all_packs, get_pack
from skillreg.registry import documents, eligibility, workflow
from skillreg.registry.clocks import AUTHORITY_CLOCK_STATUSES, application_clocks
from skillreg.registry.models import Application
from skillreg.registry.selectors import application_for, applications_visible_to, with_running_clock
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.workdays.calendar import WorkCalendar

PAGE_SIZE = 20
S = Application.Status
# The date the running clock falls due, per status (the same clocks as ``clocks.application_clocks``):
# materials check while submitted, the applicant's supplement window, then the completion clock.
SORTS = {
    "overdue": ("逾期优先", ["-clock_overdue", F("clock_due").asc(nulls_last=True), "-submitted_at", "-pk"]),
    "due": ("期限最近", [F("clock_due").asc(nulls_last=True), "-submitted_at", "-pk"]),
    "submitted": ("最近提交", [F("submitted_at").desc(nulls_last=True), "-created_at", "-pk"]),
}
BULK_EXPORT_LIMIT = 500
# What a worklist row shows and its clocks read (not the form, the decision texts, the other people).
WORKLIST_COLUMNS = (
    "public_id", "pack_id", "kind", "status", "submitted_at", "material_check_due", "material_check_due_provisional",
    "completion_due", "completion_due_provisional", "institution__name", "authority__name",
    "supplement_notice__due", "supplement_notice__due_provisional",
)
# A status filter beside the real statuses: the files whose clock runs against the authority
# (材料核查, 办结), i.e. 办理中 without those waiting for the applicant's 补正.
AUTHORITY_FILTER = ("authority", "待部门办理（材料核查、办结）")


def _filtered(request: HttpRequest) -> tuple[QuerySet[Application], dict[str, str]]:
    qs = applications_visible_to(request.user).select_related("supplement_notice", "filing")
    qs = with_running_clock(qs, clock.today())
    f = {key: request.GET.get(key, "").strip() for key in ("status", "q", "city", "overdue", "pack", "sort")}
    if f["status"] in Application.Status.values:
        qs = qs.filter(status=f["status"])
    elif f["status"] == "open":
        qs = qs.filter(status__in=workflow.OPEN_STATUSES)
    elif f["status"] == AUTHORITY_FILTER[0]:  # the supervision dashboard's 备案办理时限 links here
        qs = qs.filter(status__in=AUTHORITY_CLOCK_STATUSES)
    else:
        f["status"] = ""
    if f["q"]:
        qs = qs.filter(institution__name__contains=f["q"])
    if f["city"].isdigit() and len(f["city"]) in (4, 6):  # a city, or a county of it
        qs = qs.filter(region_code__startswith=f["city"])
    else:
        f["city"] = ""
    if f["overdue"] == "1":
        qs = qs.filter(clock_overdue=1)
    else:
        f["overdue"] = ""
    if f["pack"]:
        qs = qs.filter(pack_id=f["pack"])
    if f["sort"] not in SORTS:
        f["sort"] = "overdue"  # overdue first unless the user asks otherwise
    return qs.order_by(*SORTS[f["sort"]][1]), f


def _city_choices(user: Any) -> list[tuple[str, str]]:
    """The cities (first four digits of the region code) that the user's applications come from."""
    codes = sorted({code[:4] for code in applications_visible_to(user).order_by()
                    .values_list("region_code", flat=True).distinct()})
    names = dict(Authority.objects.filter(region_code__in=[c + "00" for c in codes])
                 .values_list("region_code", "region_name"))
    return [(c, names.get(c + "00", c + "00")) for c in codes]


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _bulk(request)
    qs, f = _filtered(request)
    # Sort and cut the page on the narrow rows (the application and its supplement notice), then
    # read the page's rows with their joins: the nine-table join runs for 20 rows, not for every
    # visible application (bench/README.md, figure 5).
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    fetched = with_running_clock(
        Application.objects.filter(pk__in=ids).select_related("institution", "authority", "supplement_notice")
        .only(*WORKLIST_COLUMNS), clock.today()).in_bulk()
    calendar = WorkCalendar()
    rows = [(app, application_clocks(app, calendar=calendar)) for app in (fetched[pk] for pk in ids if pk in fetched)]
    user: Any = request.user
    # Every filter, the sort included, rides along in the page links.
    keep = urlencode({k: v for k, v in f.items() if v and (k, v) != ("sort", "overdue")})
    return render(request, "registry/worklist.html", {
        "page": page, "rows": rows, "f": f, "keep": keep,
        "statuses": [AUTHORITY_FILTER, *Application.Status.choices], "cities": _city_choices(user),
        "packs": [(p.id, p.title) for p in all_packs()], "sorts": [(k, v[0]) for k, v in SORTS.items()],
        "can_create": user.role == Role.INSTITUTION_USER,
        "can_bulk_accept": user.role == Role.FILING_OFFICIAL,
        "can_bulk": user.role != Role.INSTITUTION_USER,
        "export_limit": BULK_EXPORT_LIMIT,
    })


def _selected(request: HttpRequest) -> list[Application]:
    """The ticked applications the user may see, in the order of the list; unknown ids are ignored."""
    ids = []
    for raw in request.POST.getlist("selected")[:BULK_EXPORT_LIMIT]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    qs = applications_visible_to(request.user).select_related("supplement_notice", "filing")
    qs = with_running_clock(qs, clock.today()).filter(public_id__in=ids)
    return list(qs.order_by(*SORTS["overdue"][1]))


@dataclass(frozen=True)
class BulkResult:
    application: Application
    ok: bool
    message: str


def _bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("bulk", "")
    back = request.POST.get("back", "")
    back_url = reverse("registry:worklist") + (f"?{back}" if back and "//" not in back else "")
    selected = _selected(request)
    if not selected:
        messages.error(request, "请先勾选要批量办理的申请")
        return redirect(back_url)
    user: Any = request.user
    if action in ("export-csv", "export-xlsx"):
        if user.role == Role.INSTITUTION_USER:
            raise Http404("未找到该页面")
        return _export(selected, action.removeprefix("export-"))
    if action != "accept" or user.role != Role.FILING_OFFICIAL:
        messages.error(request, "不支持的批量操作")
        return redirect(back_url)
    results = []
    for application in selected:
        # One service call (one transaction, one audit event) per application; a refusal of one
        # does not undo or stop the others, and each result is reported.
        if user.authority_id not in (application.authority_id, application.reviewing_authority_id):
            results.append(BulkResult(application, False, "不是本部门受理的申请"))
            continue
        try:
            application = svc.application_accept(actor=user, application=application, at=clock.now())
        except DomainError as exc:
            results.append(BulkResult(application, False,
                                      exc.message + (f"（依据：{exc.source}）" if exc.source else "")))
        else:
            results.append(BulkResult(application, True, "已受理"))
    done = sum(r.ok for r in results)
    return render(request, "registry/bulk_result.html", {
        "title": "批量受理", "results": results, "done": done, "failed": len(results) - done,
        "back_url": back_url,
    })


EXPORT_COLUMNS = ["申请单位", "申请类别", "适用政策", "受理部门", "状态", "办理时限", "提交时间"]


def _export(selected: list[Application], fmt: str) -> HttpResponse:
    calendar = WorkCalendar()
    rows = []
    for app in selected:
        clocks = "；".join(f"{c.label}：{c.left_label}" for c in application_clocks(app, calendar=calendar))
        submitted = timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M") if app.submitted_at else ""
        rows.append([safe_cell(v) for v in (
            app.institution.name, app.get_kind_display(), get_pack(app.pack_id).title,
            app.authority.name if app.authority else "", app.get_status_display(), clocks or "—", submitted)])
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        # The BOM lets spreadsheet programs on Chinese Windows read the file as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition(f"备案申请-{stamp}.csv")
        return response
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "备案申请"
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (36, 12, 40, 28, 12, 30, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition(f"备案申请-{stamp}.xlsx")
    return response


@login_required
def application_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = application_for(request.user, public_id)
    pack = get_pack(application.pack_id)
    user: Any = request.user
    is_applicant = user.role == Role.INSTITUTION_USER
    receiving = user.authority_id in (application.authority_id, application.reviewing_authority_id)
    context = {
        "app": application,
        "pack": pack,
        "clocks": application_clocks(application),
        "checks": eligibility.report(pack, application),
        "materials": application.materials.filter(superseded=False).select_related("file"),
        "material_keys": svc.material_keys(application),
        "notice": getattr(application, "supplement_notice", None),
        "filing": getattr(application, "filing", None),
        "documents": documents.available(application),
        "panel": application.panels.order_by("-pk").first(),
        "events": timeline_for(object_type="registry.application", object_id=str(application.public_id)),
        "can": {
            "submit": is_applicant and workflow.can(application, "submit"),
            "edit": is_applicant and application.status in (Application.Status.DRAFT,
                                                             Application.Status.SUPPLEMENT_REQUESTED),
            "supplement": is_applicant and workflow.can(application, "supplement"),
            "withdraw": is_applicant and workflow.can(application, "withdraw"),
            "upload": is_applicant and application.status in (Application.Status.DRAFT,
                                                               Application.Status.SUPPLEMENT_REQUESTED),
            "accept": receiving and user.role == Role.FILING_OFFICIAL and workflow.can(application, "accept"),
            "request_supplement": receiving and user.role == Role.FILING_OFFICIAL
            and workflow.can(application, "request_supplement") and not hasattr(application, "supplement_notice"),
            # The expert panel (evaluation app) moves the application into and out of evaluation.
            "evaluate": receiving and user.role in (Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
            and application.status in (Application.Status.ACCEPTED, Application.Status.EVALUATING)
            and not pack.evaluation.methods.silent,
            "decide": receiving and user.role == Role.APPROVING_OFFICIAL and workflow.can(application, "file"),
        },
    }
    return render(request, "registry/application.html", context)


def _act(request: HttpRequest, public_id: uuid.UUID, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    application = application_for(request.user, public_id)
    try:
        action(actor=request.user, application=application, at=clock.now(), **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message + (f"（依据：{exc.source}）" if exc.source else ""))
    else:
        messages.success(request, done)
    return redirect("registry:application", public_id=public_id)


@login_required
@require_POST
def application_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    simple = {
        "submit": (svc.application_submit, "申请已提交"),
        "accept": (svc.application_accept, "已受理"),
        "supplement": (svc.application_supplement, "补正材料已提交"),
        "withdraw": (svc.application_withdraw, "申请已撤回"),
        "file": (decisions.application_file, "已备案并公布"),
    }
    if action in simple:
        fn, done = simple[action]
        return _act(request, public_id, fn, done)
    if action == "request-supplement":
        lines = [line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()]
        items = [{"text": line} for line in lines]
        return _act(request, public_id, svc.application_request_supplement, "已发出一次性补正告知", items=items)
    if action == "refuse":
        return _act(request, public_id, svc.application_refuse, "已作出不予备案决定",
                    reason=request.POST.get("reason", ""), source=request.POST.get("source", ""))
    if action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件")
            return redirect("registry:application", public_id=public_id)
        return _act(request, public_id, svc.application_attach_material, "材料已上传",
                    key=request.POST.get("key", ""), upload=upload)
    return redirect("registry:application", public_id=public_id)


@login_required
@require_POST
def application_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER:
        messages.error(request, "只有机构用户可以创建备案申请")
        return redirect("registry:worklist")
    application = svc.application_create(actor=user, institution=user.institution, at=clock.now())
    return redirect("registry:application_edit", public_id=application.public_id)


@login_required
def application_document(request: HttpRequest, public_id: uuid.UUID, kind: str, fmt: str) -> HttpResponse:
    application = application_for(request.user, public_id)
    try:
        content, content_type, name = documents.render(application, kind, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("registry:application", public_id=public_id)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    return response
