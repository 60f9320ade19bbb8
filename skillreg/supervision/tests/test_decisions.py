"""Decision documents (处理决定书, 限期整改通知书, 终止（取消）备案决定书) as PDF and DOCX, read
back as text: the institution, the clause and the clause's wording must be in them."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from pypdf import PdfReader

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, login, make_user
from skillreg.supervision.models import Rectification, TerminationProposal
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services import grading, sanctions, violations
from skillreg.supervision.tests.conftest import filed

LATER = NOW + dt.timedelta(days=200)


def _text(pdf: bytes) -> str:
    return "".join("".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_rectification_order_and_termination_decision_cite_002_art20(bazhong, bz_official, bz_approver) -> None:
    inst = filed(bazhong, name="巴中市示例考核中心")
    grading.evaluation_record(actor=bz_official, institution=inst, kind="periodic", proposed_grade="不合格",
                              notes="联网监控录像保存不足", at=NOW)
    rect = Rectification.objects.get(institution=inst)
    client = login(bz_official)
    r = client.get(f"/supervision/documents/rectification/{rect.public_id}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _text(r.content)
    assert "巴中市示例考核中心" in text and "限期整改通知书" in text and "第二十条" in text
    assert "2027年5月20日" in text  # half a year (002 第二十条)
    assert "不合格者限期整改，半年后整改仍不合格的，终止专项职业能力考核备案" in text  # the clause's own words
    r = client.get(f"/supervision/documents/rectification/{rect.public_id}.docx")
    body = "".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert r.status_code == 200 and "巴中市示例考核中心" in body and "第二十条" in body

    grading.evaluation_record(actor=bz_official, institution=inst, kind="re_evaluation", proposed_grade="不合格",
                              rectification=rect, at=LATER)
    proposal = TerminationProposal.objects.get(institution=inst)
    assert client.get(f"/supervision/documents/termination/{proposal.public_id}.pdf").status_code == 404  # undecided
    sanctions.proposal_decide(actor=bz_approver, proposal=proposal, approve=True, note="同意终止", at=LATER)
    text = _text(client.get(f"/supervision/documents/termination/{proposal.public_id}.pdf").content)
    assert "终止（取消）备案决定书" in text and "巴中市示例考核中心" in text and "第二十条" in text
    assert "《巴中市专项职业能力考核机构管理办法（试行）》（巴人社规〔2023〕1号）第二十条规定" in text


def test_violation_decision_cites_003_5_5_and_reaches_the_institution(wuhai, wh_official, bazhong,
                                                                        bz_official) -> None:
    inst = filed(wuhai, pack_id="nm-2021-skill-level", name="乌海市示例评价机构")
    record = violations.violation_record(actor=wh_official, institution=inst, catalogue_key="sanction-ladder",
                                         item_key="poor-management", facts="考务档案缺失考生签到表",
                                         found_via=FoundVia.REPORT, at=NOW)
    url = f"/supervision/documents/violation/{record.public_id}.pdf"
    assert login(wh_official).get(url).status_code == 404  # no decision yet, no document
    violations.violation_decide(actor=wh_official, violation=record, steps=["限期整改"], note="一个月内补齐",
                                deadline=dt.date(2026, 12, 20), at=NOW)
    text = _text(login(wh_official).get(url).content)
    assert "违规行为处理决定书" in text and "乌海市示例评价机构" in text and "五(五)" in text
    assert "组织管理不善" in text and "2026年12月20日" in text
    staff = make_user(Role.INSTITUTION_USER, None, institution=inst, username="wh-staff")
    assert login(staff).get(url).status_code == 200  # addressed to it
    other = make_user(Role.INSTITUTION_USER, None, institution=filed(wuhai, pack_id="nm-2021-skill-level"),
                      username="other-staff")
    assert login(other).get(url).status_code == 404
    assert login(bz_official).get(url).status_code == 404
    api = login(wh_official).get(f"/api/v1/supervision/documents/violation/{record.public_id}?fmt=docx")
    assert api.status_code == 200 and "wordprocessingml" in api["Content-Type"]
    assert login(wh_official).get(
        f"/api/v1/supervision/documents/violation/{record.public_id}?fmt=exe").status_code == 422
    page = login(wh_official).get(f"/supervision/violations/{record.public_id}/").content.decode()
    assert url in page
