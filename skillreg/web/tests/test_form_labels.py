"""Every field of the main forms has a label (issue 10: “labels on every field”).

The 备案表's tables, the expert's score form and the upload forms name each cell for a screen
reader; a field added without a label fails here.
"""

from __future__ import annotations

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.evaluation import services as evaluation
from skillreg.evaluation.tests.conftest import bz_app, bz_org, expert, expert_user  # noqa: F401 - fixtures
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form
from skillreg.web.tests.labels import unlabelled_fields

pytestmark = pytest.mark.django_db


def test_the_checker_finds_a_field_without_a_label() -> None:
    html = ('<label for="a">甲</label><input id="a" name="a"><label>乙 <select name="b"></select></label>'
            '<textarea name="c" aria-label="丙"></textarea><input type="hidden" name="h">'
            '<input name="naked"><input name="blank" aria-label=" ">')
    assert unlabelled_fields(html) == ["naked", "blank"]


@pytest.fixture
def sc_draft(bazhong: Authority) -> tuple[User, Application]:
    org = InstitutionFactory.create(name="巴中市恒达职业技能培训学校", authority=bazhong, region_code="511902",
                                    credit_code=make_credit_code("511902", 41), pack_id="sc-2021-appraisal")
    applicant = make_user(Role.INSTITUTION_USER, None, username="hengda", institution=org)
    app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
    return applicant, app


def test_the_whole_sc_application_editor_labels_every_cell(sc_draft: tuple[User, Application]) -> None:
    applicant, app = sc_draft
    page = login(applicant).get(f"/applications/{app.public_id}/edit/").content.decode()
    assert 'name="staff-0-name"' in page and 'name="practical_sites-equipment-0-quantity"' in page
    assert unlabelled_fields(page) == []
    # A cell's name says its row as well as its column.
    assert 'aria-label="管理人员名册第 1 行：姓名"' in page
    assert 'aria-label="操作技能考核场地（应会考场）设备第 1 行：数量"' in page
    assert 'aria-label="管理人员名册新增行：姓名"' in page  # the template row the page's button copies


def test_the_application_page_with_its_upload_form_labels_every_field(
        sc_draft: tuple[User, Application]) -> None:
    applicant, app = sc_draft
    page = login(applicant).get(f"/applications/{app.public_id}/").content.decode()
    assert 'type="file"' in page
    assert unlabelled_fields(page) == []


def test_the_official_pages_of_an_application_label_every_field(bz_app: Application, bz_official: User) -> None:  # noqa: F811
    client = login(bz_official)
    for url in (f"/applications/{bz_app.public_id}/", f"/evaluation/applications/{bz_app.public_id}/",
                "/evaluation/experts/", "/applications/"):
        page = client.get(url).content.decode()
        assert unlabelled_fields(page) == [], url


def test_the_expert_score_form_with_its_photo_upload_labels_every_field(
        bz_app: Application, bz_official: User, bazhong: Authority) -> None:  # noqa: F811
    for n in range(2):
        expert(bazhong, f"专家{n}", user=expert_user(bazhong, f"expert{n}"))
    panel = evaluation.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    member = panel.members.select_related("expert__user").first()
    assert member is not None and member.expert.user is not None
    page = login(member.expert.user).get(f"/evaluation/applications/{bz_app.public_id}/score/").content.decode()
    assert 'name="score_0"' in page and 'name="photos"' in page
    assert unlabelled_fields(page) == []
    assert 'aria-label="文件审核：分数（0–100）"' in page
