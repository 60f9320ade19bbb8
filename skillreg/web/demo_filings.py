"""Demo applications in every state, in several regimes, made through the real services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import Application, BodyKind, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.services.institutions import institution_register
from skillreg.registry.tests.builders import gs_form, sc_form

# A one-page PDF, enough for the material checks (the upload is checked by content).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

S = Application.Status


def _org(name: str, region: str, authority: Authority, pack_id: str, serial: int,
         kind: str = BodyKind.SOCIAL_BODY, at: dt.datetime | None = None) -> tuple[Institution, User]:
    org = institution_register(
        actor=None, name=name, credit_code=make_credit_code(region[:4] + "00", serial), body_kind=kind,
        legal_representative="李国强", address=f"{authority.region_name}示范路{serial}号", region_code=region,
        authority=authority, pack_id=pack_id, at=at or clock.now(), contact_phone="0827-5261234")
    user = User.objects.create(username=f"inst-{serial}", role=Role.INSTITUTION_USER, institution=org,
                               display_name=f"{name}经办人")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return org, user


def _walk(user: User, form: dict, *, to: str, clerk: User, approver: User, at: dt.datetime,
          material: str) -> Application:
    """Create and move an application to status ``to``, a day per step from ``at``."""
    step = dt.timedelta(days=1)
    app = svc.application_create(actor=user, institution=user.institution, form=form, at=at)
    if to == S.DRAFT:
        return app
    svc.application_attach_material(actor=user, application=app, key=material,
                                    upload=SimpleUploadedFile("申请材料.pdf", DEMO_PDF), at=at)
    if to == S.WITHDRAWN:
        return svc.application_withdraw(actor=user, application=app, at=at + step)
    app = svc.application_submit(actor=user, application=app, at=at + step)
    if to == S.SUBMITTED:
        return app
    if to in (S.SUPPLEMENT_REQUESTED, S.TERMINATED):
        svc.application_request_supplement(actor=clerk, application=app, at=at + 2 * step, items=[
            {"text": "操作技能考核场地设备清单缺少型号、数量", "source": ""},
            {"text": "考评人员资格证明扫描件不清晰，请重新上传", "source": ""}])
        if to == S.TERMINATED:
            svc.application_terminate_overdue(application=app, at=clock.now())
        app.refresh_from_db()
        return app
    svc.application_accept(actor=clerk, application=app, at=at + 2 * step)
    if to == S.ACCEPTED:
        return app
    if to == S.REFUSED:
        return svc.application_refuse(actor=approver, application=app, at=at + 3 * step,
                                      reason="现场技术评估发现考核场地与申报项目不相适应，且无法按要求整改",
                                      source="000 三(三)")
    decisions.application_start_evaluation(actor=clerk, application=app, at=at + 3 * step)
    if to == S.EVALUATING:
        return app
    decisions.application_conclude_evaluation(actor=clerk, application=app, passed=True,
                                              summary="文件审核、实地考察合格", at=at + 4 * step)
    if to == S.EVALUATED:
        return app
    decisions.application_file(actor=approver, application=app, at=at + 5 * step)
    app.refresh_from_db()
    return app


def load_demo_filings(*, officials: dict[str, dict[str, User]], main_institutions: dict[str, Institution]) -> int:
    if Application.objects.exists():
        return 0
    now = clock.now()
    bz, wh = officials["bz"], officials["wh"]
    bazhong = main_institutions["bz"].authority
    wuhai_centre = wh["filing"].authority
    count = 0
    # 巴中 — bz-2023-special (专项职业能力考核机构) and sc-2021-appraisal (鉴定所（站）).
    bz_main_user = User.objects.get(username="bz-institution-user")
    _walk(bz_main_user, gs_form(main_institutions["bz"]), to=S.FILED, clerk=bz["filing"], approver=bz["approving"],
          at=now - dt.timedelta(days=40), material="application-form")
    count += 1
    plan = [
        ("巴中市巴州区家政服务职业培训学校", BodyKind.SOCIAL_BODY, "bz-2023-special", S.DRAFT),
        ("巴中市恩阳区电子商务协会", BodyKind.SOCIAL_BODY, "bz-2023-special", S.SUBMITTED),
        ("巴中市南江县茶艺技能评价中心", BodyKind.SOCIAL_BODY, "bz-2023-special", S.SUPPLEMENT_REQUESTED),
        ("巴中市通江县银耳种植技术服务中心", BodyKind.SOCIAL_BODY, "bz-2023-special", S.ACCEPTED),
        ("巴中市平昌县中式面点培训学校", BodyKind.SOCIAL_BODY, "bz-2023-special", S.EVALUATING),
        ("巴中市第二技工学校", BodyKind.TECHNICAL_SCHOOL, "sc-2021-appraisal", S.FILED),
        ("巴中市建筑安装工程有限公司", BodyKind.ENTERPRISE, "sc-2021-appraisal", S.TERMINATED),
    ]
    for serial, (name, kind, pack_id, status) in enumerate(plan, start=2001):
        _, user = _org(name, "511902", bazhong, pack_id, serial, kind)
        form = sc_form(user.institution) if pack_id == "sc-2021-appraisal" else gs_form(user.institution)
        material = "filing-form" if pack_id == "sc-2021-appraisal" else "application-form"
        days = 30 if status == S.TERMINATED else 12
        _walk(user, form, to=status, clerk=bz["filing"], approver=bz["approving"],
              at=now - dt.timedelta(days=days), material=material)
        count += 1
    # 乌海 — nm-2020-special, filed by the city centre.
    wh_main_user = User.objects.get(username="wh-institution-user")
    _walk(wh_main_user, gs_form(main_institutions["wh"]), to=S.SUBMITTED, clerk=wh["filing"],
          approver=wh["approving"], at=now - dt.timedelta(days=3), material="feasibility")
    count += 1
    wh_plan = [
        ("乌海市海南区烹饪职业技能培训中心", S.FILED),
        ("乌海市乌达区养老护理服务中心", S.EVALUATED),
        ("乌海市海勃湾区美容美发协会", S.REFUSED),
        ("乌海市某汽车维修服务公司", S.WITHDRAWN),
    ]
    for serial, (name, status) in enumerate(wh_plan, start=3001):
        _, user = _org(name, "150302", wuhai_centre, "nm-2020-special", serial)
        _walk(user, gs_form(user.institution), to=status, clerk=wh["filing"], approver=wh["approving"],
              at=now - dt.timedelta(days=20), material="feasibility")
        count += 1
    return count
