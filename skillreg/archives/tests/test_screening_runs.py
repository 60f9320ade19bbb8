"""Importing answer sheets, running a screening in the background, its page, API and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from skillreg.accounts.models import Authority, Role, User
from skillreg.archives import screening
from skillreg.archives.models import ScreeningPair, ScreeningRoom, ScreeningRun, ScreeningSheet
from skillreg.archives.sheets_io import SheetImportError, parse_sheets
from skillreg.archives.tests.conftest import REAL_DATA
from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW, login, make_user
from skillreg.registry.models import Institution

pytestmark = pytest.mark.django_db

SMALL = (
    "EID,cent_id,q1,q2,q3,q4,q5,q6\n"
    "a1,R1,1,2,3,4,1,2\n"
    "a2,R1,1,2,3,4,1,2\n"
    "a3,R1,2,2,3,1,1,3\n"
    "a4,R2,1,3,3,4,2,2\n"
    "a5,R2,1,2,4,4,1,2\n"
)


def _upload(text: str, name: str = "sheets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def wh_centre(wuhai: Authority) -> User:
    return make_user(Role.CENTRE_STAFF, wuhai, username="wh-centre")


# --- the file import: all rows valid or nothing written ---------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(wh_centre: User, nm_institution: Institution) -> None:
    bad = (
        "EID,cent_id,q1,q2,q3\n"
        "a1,R1,1,2,3\n"
        ",R1,1,2,3\n"          # line 3: no examinee id
        "a3,R1,1,X,3\n"        # line 4: X is no option
        "a1,R2,1,2,3\n"        # line 5: duplicate examinee
        "a5,,1,2\n"            # line 6: too few columns
        "a6,R2,,,\n"           # line 7: an empty sheet
        "a7,R2,1,0,12\n"       # line 8: two bad cells
    )
    with pytest.raises(SheetImportError) as caught:
        screening.screening_start(actor=wh_centre, institution=nm_institution, title="场次", data=bad.encode(),
                                  source_name="bad.csv", at=NOW)
    rows = sorted({e.row for e in caught.value.errors})
    assert rows == [3, 4, 5, 6, 7, 8]
    assert len([e for e in caught.value.errors if e.row == 8]) == 2
    assert "6 行有误" in caught.value.message
    assert ScreeningRun.objects.count() == 0
    assert ScreeningSheet.objects.count() == 0


def test_binary_and_misnamed_files_are_refused() -> None:
    with pytest.raises(SheetImportError):
        parse_sheets(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(SheetImportError):
        parse_sheets(b"")


def test_letters_gb18030_and_xlsx_are_read_like_the_csv() -> None:
    from openpyxl import Workbook

    text = "考生,考场,题1,题2\nx,1,A,b\ny,1,2,\n"
    _, from_gbk = parse_sheets(text.encode("gb18030"))
    assert [s.answers for s in from_gbk] == [(1, 2), (2, None)]
    book = Workbook()
    sheet = book.active
    for row in (["考生", "考场", "题1", "题2"], ["x", 1, "A", 2], ["y", 1, 2, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    _, from_xlsx = parse_sheets(buffer.getvalue())
    assert [(s.examinee, s.room, s.answers) for s in from_xlsx] == [("x", "1", (1, 2)), ("y", "1", (2, None))]


# --- a run -----------------------------------------------------------------------------------


def test_a_run_is_stored_with_its_parameters_computed_in_the_background_and_recomputable(
        wh_centre: User, nm_institution: Institution, immediate_tasks: None,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        run = screening.screening_start(actor=wh_centre, institution=nm_institution, title="2026年第1场",
                                        data=SMALL.encode(), source_name="s.csv", at=NOW)
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE
    assert run.progress == 100
    assert run.key_derivation == "modal"
    assert run.answer_key == [1, 2, 3, 4, 1, 2]
    assert run.parameters["method"] == "gbt-identical-incorrect/score-groups"
    assert run.parameters["alpha"] == 0.001
    assert run.rule_fraction == "1/3" and run.rule_source == "000 三(三)8"
    assert run.pair_count == 3 + 1
    assert ScreeningRoom.objects.filter(run=run).count() == 2
    assert screening.recompute_matches(run)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["archives.screening_start", "archives.screening_done"]


def test_a_run_started_twice_is_computed_once(wh_centre: User, nm_institution: Institution) -> None:
    run = screening.screening_start(actor=wh_centre, institution=nm_institution, title="场次",
                                    data=SMALL.encode(), source_name="s.csv", at=NOW)
    screening.screening_execute(run_id=run.pk)
    screening.screening_execute(run_id=run.pk)  # already done: nothing happens
    assert ScreeningRoom.objects.filter(run=run).count() == 2


def test_a_pack_without_the_rule_gives_no_room_verdict(bz_official: User, bz_institution: Institution) -> None:
    # bz-2023-special is silent on answer similarity: pairs are listed, rooms are not judged.
    run = screening.screening_start(actor=bz_official, institution=bz_institution, title="场次",
                                    data=SMALL.encode(), source_name="s.csv", at=NOW)
    screening.screening_execute(run_id=run.pk)
    assert set(ScreeningRoom.objects.filter(run=run).values_list("reaches_rule", flat=True)) == {None}


def test_the_real_file_through_the_api_with_a_planted_cheating_room(
        wh_centre: User, nm_institution: Institution) -> None:
    # Room 591 (5 examinees): three copy all of the first one's answers → 4 of 5 flagged.
    lines = REAL_DATA.read_text().splitlines()
    room = [n for n, line in enumerate(lines) if line.split(",")[1] == "591"]
    source = lines[room[0]].split(",")
    for n in room[1:4]:
        own = lines[n].split(",")
        lines[n] = ",".join(own[:2] + source[2:])
    client = login(wh_centre)
    response = client.post("/api/v1/archives/screenings", {
        "institution": str(nm_institution.public_id), "title": "真实数据",
        "file": _upload("\n".join(lines) + "\n", "form2.csv")})
    assert response.status_code == 201, response.content
    run = ScreeningRun.objects.get()
    assert run.sheet_count == 1607 and run.item_count == 170 and run.room_count == 310
    screening.screening_execute(run_id=run.pk)
    body = client.get(f"/api/v1/archives/screenings/{run.public_id}").json()
    assert body["status"] == "done"
    assert body["key_derivation"] == "modal" and "推定" in body["key_note"]
    top = body["rooms"][0]
    assert top["room"] == "591" and top["reaches_rule"] is True and top["flagged_candidates"] == 4
    assert body["flagged_room_count"] == 1
    assert "000 三(三)8" in top["reading"]
    page = client.get(reverse("archives:screening", args=[run.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "591" in html and "van der Linden" in html and "推定" in html
    xlsx = client.get(reverse("archives:screening_xlsx", args=[run.public_id]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert ScreeningPair.objects.filter(run=run, room__room="591").count() == 6


def test_the_api_lists_every_bad_row_in_a_422(wh_centre: User, nm_institution: Institution) -> None:
    response = login(wh_centre).post("/api/v1/archives/screenings", {
        "institution": str(nm_institution.public_id), "title": "场次",
        "file": _upload("EID,cent_id,q1\na,1,7x\nb,1,\n")})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "bad_answer_sheets"
    assert [e["row"] for e in body["errors"]] == [2, 3]
    assert ScreeningRun.objects.count() == 0


def test_a_file_that_is_not_csv_or_xlsx_is_refused(wh_centre: User, nm_institution: Institution) -> None:
    response = login(wh_centre).post("/api/v1/archives/screenings", {
        "institution": str(nm_institution.public_id), "title": "场次",
        "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")})
    assert response.status_code == 422


def test_the_page_shows_the_errors_and_keeps_the_form(wh_centre: User, nm_institution: Institution) -> None:
    response = login(wh_centre).post(reverse("archives:screenings"), {
        "institution": nm_institution.pk, "title": "我的场次", "alpha": "0.001",
        "file": _upload("EID,cent_id,q1\na,1,7x\n")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 2 行" in html and "我的场次" in html


# --- permission boundaries ----------------------------------------------------------------------


def _run(actor: User, institution: Institution) -> ScreeningRun:
    return screening.screening_start(actor=actor, institution=institution, title="场次", data=SMALL.encode(),
                                     source_name="s.csv", at=NOW)


def test_another_city_s_official_gets_404_on_page_and_api(
        wh_centre: User, nm_institution: Institution, bz_official: User) -> None:
    run = _run(wh_centre, nm_institution)
    client = login(bz_official)
    assert client.get(reverse("archives:screening", args=[run.public_id])).status_code == 404
    assert client.get(f"/api/v1/archives/screenings/{run.public_id}").status_code == 404
    assert client.get(reverse("archives:screening_xlsx", args=[run.public_id])).status_code == 404
    response = client.post("/api/v1/archives/screenings", {
        "institution": str(nm_institution.public_id), "title": "x", "file": _upload(SMALL)})
    assert response.status_code == 404
    assert client.get("/api/v1/archives/screenings").json() == []


def test_an_institution_user_sees_no_screening(wh_centre: User, nm_institution: Institution) -> None:
    run = _run(wh_centre, nm_institution)
    own = make_user(Role.INSTITUTION_USER, None, username="inst", institution=nm_institution)
    client = login(own)
    assert client.get(reverse("archives:screening", args=[run.public_id])).status_code == 404
    assert client.get(reverse("archives:screenings")).status_code == 404
    assert client.get(f"/api/v1/archives/screenings/{run.public_id}").status_code == 404


def test_anonymous_is_sent_to_login_and_the_api_says_401(wh_centre: User, nm_institution: Institution) -> None:
    from django.test import Client

    run = _run(wh_centre, nm_institution)
    client = Client()
    page = client.get(reverse("archives:screening", args=[run.public_id]))
    assert page.status_code == 302 and "login" in page["Location"]
    assert client.get(f"/api/v1/archives/screenings/{run.public_id}").status_code == 401
    assert client.get(reverse("archives:index")).status_code == 302


def test_a_room_of_more_than_2000_is_refused_as_a_wrong_room_column(wh_centre: User,
                                                                    nm_institution: Institution) -> None:
    from skillreg.archives.similarity import Sheet
    from skillreg.core.errors import InvalidInput

    sheets = [Sheet(examinee=f"e{i}", room="1", answers=(1, 2)) for i in range(screening.MAX_ROOM + 1)]
    with pytest.raises(InvalidInput) as caught:
        screening.screening_start_from_sheets(actor=wh_centre, institution=nm_institution, title="场次",
                                              sheets=sheets, at=NOW)
    assert "请核对考场编号" in caught.value.message
    assert ScreeningRun.objects.count() == 0
