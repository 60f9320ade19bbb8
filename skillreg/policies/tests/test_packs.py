"""The five packs load, and the values they encode are the documents' own."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from skillreg.policies.schema import Rule, iter_rules, iter_sources, parse_source
from skillreg.policies.tests.conftest import PACK_IDS

SEED_DIR = Path(__file__).resolve().parents[4] / "shared" / "seeds"


def test_the_five_packs_load(packs):
    assert sorted(packs) == sorted(PACK_IDS)


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_source_resolves_to_a_clause_of_its_own_pack(packs, pack_id):
    pack = packs[pack_id]
    sources = list(iter_sources(pack))
    assert sources, "a pack with no sources encodes nothing"
    for path, source in sources:
        seed, ref = parse_source(source)
        assert seed == pack.seed, path
        assert ref in pack.clauses, f"{path}: {source}"


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_silent_rule_says_why(packs, pack_id):
    for path, obj in iter_rules(packs[pack_id]):
        if isinstance(obj, Rule) and obj.silent:
            assert obj.note, path


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_clause_texts_are_the_documents_wording(packs, pack_id):
    pack = packs[pack_id]
    seeds = list(SEED_DIR.glob(f"{pack.seed}_*.txt")) if SEED_DIR.is_dir() else []
    if not seeds:
        pytest.skip("source documents not available on this machine")
    original = re.sub(r"\s+", "", seeds[0].read_text(encoding="utf-8"))
    for ref, text in pack.clauses.items():
        assert re.sub(r"\s+", "", text) in original, ref


# --- 001 四川 (sc-2021-appraisal) --------------------------------------------------


def test_sc_material_check_is_5_workdays(packs):
    # 001 三(一)2(1): 自受理备案之日起5个工作日内核查完毕
    clock = packs["sc-2021-appraisal"].clocks.material_check
    assert clock.workdays == 5
    assert clock.source == "001 三(一)2(1)"


def test_sc_completion_15_and_supplement_5_then_terminate(packs):
    # 001 三(一)2(2): 15个工作日内办结；5个工作日未补齐，终止本次办理
    clocks = packs["sc-2021-appraisal"].clocks
    assert clocks.completion.workdays == 15
    assert clocks.supplement.workdays == 5
    assert "终止" in clocks.supplement.consequence
    assert clocks.supplement.source == "001 三(一)2(2)"


def test_sc_change_filing_window_is_5_workdays(packs):
    # 001 四: 拟变更前或已发生变动5工作日内提交
    assert packs["sc-2021-appraisal"].clocks.change_filing.workdays == 5


def test_sc_tiers_by_level(packs):
    # 001 二: 省 技师/高级技师；市（州）高级及以下；成都 技师及以下
    tiers = packs["sc-2021-appraisal"].jurisdiction.tiers
    by_authority = {t.authority: t for t in tiers}
    assert sorted(by_authority["省人力资源社会保障部门"].levels) == [1, 2]
    assert sorted(by_authority["市（州）人力资源社会保障部门"].levels) == [3, 4, 5]
    chengdu = by_authority["成都市人力资源社会保障部门"]
    assert chengdu.region_code == "510100"
    assert sorted(chengdu.levels) == [2, 3, 4, 5]


def test_sc_industry_bodies_need_a_supervisors_letter(packs):
    # 001 三(一)1: 行业部门须同时提交省级以上主管部门同意申报的函件
    materials = {m.key: m for m in packs["sc-2021-appraisal"].materials.items}
    assert materials["industry-approval-letter"].condition
    assert "filing-form" in materials


def test_sc_retention_and_revocation_and_naming(packs):
    pack = packs["sc-2021-appraisal"]
    # 001 五(二): 文档资料、视频资料保存期三年
    assert pack.retention.paper.years == 3
    assert pack.retention.video.years == 3
    # 001 五(四): three grounds to revoke and publish
    revoke = next(c for c in pack.violations if c.consequence == "revoke_and_publish")
    assert len(revoke.items) == 3 and revoke.publish
    # 001 五(一): 承办单位全称 + 职业技能考核鉴定所（站）
    assert pack.naming.suffix == "职业技能考核鉴定所（站）"
    # 001 五(四): public fields
    assert pack.public_fields.fields == ["name", "code", "address", "head", "occupations_levels"]


def test_sc_result_notice_templates(packs):
    # 001 附件3 样式（一）/样式（二）
    templates = packs["sc-2021-appraisal"].result_notices.templates
    assert [t.outcome for t in templates] == ["filed", "terminated"]
    assert "终止办理" in templates[1].text


def test_sc_validity_is_silent_not_the_notices_own_5_years(packs):
    # 001 五(六) “有效期5年” is the notice's own term, not the filing's validity
    validity = packs["sc-2021-appraisal"].validity
    assert validity.years is None
    assert validity.note


# --- 000 内蒙古 专项 (nm-2020-special) ----------------------------------------------


def test_nm2020_validity_is_2_years(packs):
    # 000 二(四): 有效期 2 年
    assert packs["nm-2020-special"].validity.years == 2
    assert packs["nm-2020-special"].validity.source == "000 二(四)"


def test_nm2020_twelve_grounds_to_refuse_or_revoke(packs):
    # 000 三(三) 1–12: 不予备案或取消资质
    (catalogue,) = packs["nm-2020-special"].violations
    assert catalogue.consequence == "refuse_or_revoke"
    assert [i.source for i in catalogue.items] == [f"000 三(三){n}" for n in range(1, 13)]


def test_nm2020_answer_sheet_similarity_is_one_third(packs):
    # 000 三(三)8: 同一考场三分之一以上考生答卷异常雷同
    similarity = packs["nm-2020-special"].similarity
    assert similarity.as_fraction() == Fraction(1, 3)
    assert similarity.inclusive


def test_nm2020_supplement_has_no_number(packs):
    # 000 二(二): “一次性告知补交材料和时限” without a number
    supplement = packs["nm-2020-special"].clocks.supplement
    assert supplement.workdays is None
    assert supplement.source == "000 二(二)"


def test_nm2020_destruction_ledger_without_years(packs):
    # 000 三(二): 保存期满需要销毁的档案进行台账登记备查; no years
    retention = packs["nm-2020-special"].retention
    assert "台账" in retention.destruction.text
    assert retention.paper.years is None


def test_nm2020_public_fields_and_complaints(packs):
    pack = packs["nm-2020-special"]
    # 000 二: 名称、地址、联系方式、考核项目
    assert pack.public_fields.fields == ["name", "address", "contact", "projects"]
    # 000 四(一): 投诉举报机制
    assert pack.supervision.complaints.value is True
    # 000 三(三)10: 一年内无故不开展考核工作
    assert pack.inactivity.years == 1


# --- 002 巴中 (bz-2023-special) -----------------------------------------------------


def test_bz_rotation(packs):
    # 002 第十五条: 不能在同一考点连续考核三次，每次轮换不得少于三分之一
    rotation = packs["bz-2023-special"].rotation
    assert rotation.consecutive_forbidden == 3
    assert rotation.min_rotated == "1/3"
    assert rotation.min_rotated_fraction() == Fraction(1, 3)
    assert rotation.source == "002 第十五条"


def test_bz_has_no_article_14(packs):
    # The document skips 第十四条; the pack cites its own numbering.
    assert "第十四条" not in packs["bz-2023-special"].clauses
    assert "第十五条" in packs["bz-2023-special"].clauses


def test_bz_exam_clocks(packs):
    # 002 第六条(一)(二): 报名截止前3个工作日内录入；截止后3个工作日内申请
    clocks = packs["bz-2023-special"].clocks
    assert clocks.candidate_entry.workdays == 3
    assert clocks.exam_application.workdays == 3


def test_bz_grading_and_direct_fail(packs):
    pack = packs["bz-2023-special"]
    # 002 第二十条: 四个等级，合格以上继续，半年整改，仍不合格终止
    assert pack.grading.grades.levels == ["优秀", "良好", "合格", "不合格"]
    assert pack.grading.grades.passing == ["优秀", "良好", "合格"]
    assert pack.grading.rectification.months == 6
    assert pack.grading.periodic_evaluation.years == 3
    # 002 第二十二条: 七种直接不合格
    assert len(pack.direct_fail.items) == 7


def test_bz_retention_validity_materials(packs):
    pack = packs["bz-2023-special"]
    # 002 第十八条: 纸质档不少于五年，电子档不少于十年
    assert (pack.retention.paper.years, pack.retention.electronic.years) == (5, 10)
    assert pack.retention.paper.at_least
    # 002 第十条: 有效期三年
    assert pack.validity.years == 3
    # 002 第九条: 申报表 + 4 项证明材料
    assert len(pack.materials.items) == 5
    # 002 第五条(四) 考培分离; 第十三条 场外考点须经市职鉴中心核实
    assert pack.conduct.training_separation.value is True
    assert pack.conduct.off_site_venue.allowed is True


# --- 003 内蒙古 等级认定 (nm-2021-skill-level) ----------------------------------------


def test_nm2021_retention_3_and_5(packs):
    # 003 四(九): 纸质材料不少于3年，电子材料不少于5年
    retention = packs["nm-2021-skill-level"].retention
    assert (retention.paper.years, retention.electronic.years) == (3, 5)
    assert retention.paper.at_least and retention.electronic.at_least


def test_nm2021_sanction_ladder_and_blacklist(packs):
    # 003 五(五): 通报批评 → 限期整改 → 取消评价资质 + 失信黑名单
    (catalogue,) = packs["nm-2021-skill-level"].violations
    assert catalogue.steps == ["通报批评", "限期整改", "取消评价资质"]
    assert catalogue.blacklist and catalogue.graded


def test_nm2021_national_certificate_numbering(packs):
    # 003 四(七): 全国统一编码规则
    assert packs["nm-2021-skill-level"].certificate.national_numbering.value is True
    # special-project packs have no national rule
    assert packs["bz-2023-special"].certificate.national_numbering.value is None


def test_nm2021_is_silent_on_filing_materials_and_clocks(packs):
    pack = packs["nm-2021-skill-level"]
    assert pack.materials.items == [] and pack.materials.note
    assert pack.clocks.material_check.workdays is None
    assert pack.validity.years is None


# --- 004 甘肃 (gs-2022-special) -----------------------------------------------------


def test_gs_staffing_minima(packs):
    # 004 二(四)1–4: 所长中级以上；专职管理人员≥2；每项目考评员≥3；内部质量督导人员
    staffing = packs["gs-2022-special"].staffing
    assert staffing.head.min == 1 and "中级以上" in staffing.head.qualification
    assert staffing.managers.min == 2
    assert staffing.assessors_per_project.min == 3
    assert staffing.internal_supervisors.value is True
    assert staffing.assessors_per_project.source == "004 二(四)3"


def test_gs_eight_materials_and_evaluation(packs):
    pack = packs["gs-2022-special"]
    # 004 三: 8 项申报材料
    assert len(pack.materials.items) == 8
    # 004 五(二): 评估前 10 个工作日报评估方案
    assert pack.clocks.evaluation_plan.workdays == 10
    # 004 五(三): 从专家库随机抽取专家
    assert pack.evaluation.experts_random.value is True
    # 004 五(五): 有效期 3 年
    assert pack.validity.years == 3


def test_gs_call_closes_on_15_april_2022(packs):
    # 004 一: 4月15日前
    import datetime

    assert packs["gs-2022-special"].call.closing_date == datetime.date(2022, 4, 15)


def test_gs_routing(packs):
    # 004 五(一): 市州受理、省鉴定中心复核；省级单位直接向省鉴定中心申请
    routes = packs["gs-2022-special"].jurisdiction.routing
    assert routes[0].reviewed_by == "省鉴定中心"
    assert "直接" in routes[1].submit_to


# --- silence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "getter"),
    [
        ("sc-2021-appraisal", lambda p: p.validity.years),
        ("nm-2021-skill-level", lambda p: p.validity.years),
        ("nm-2020-special", lambda p: p.clocks.material_check.workdays),
        ("gs-2022-special", lambda p: p.rotation.min_rotated),
        ("bz-2023-special", lambda p: p.similarity.fraction),
        ("gs-2022-special", lambda p: p.retention.paper.years),
        ("sc-2021-appraisal", lambda p: p.staffing.assessors_per_project.min),
        ("bz-2023-special", lambda p: p.public_fields.fields),
    ],
)
def test_silence_is_none(packs, pack_id, getter):
    assert getter(packs[pack_id]) is None
