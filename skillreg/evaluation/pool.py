"""Who may be drawn for an application, and who may not and why.

Reads only: ``services.panel_draw`` and ``services.panel_replace`` hand the result to
``draws.draw_perform``, which stores it for anyone to recompute.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from skillreg.accounts.models import Authority
from skillreg.draws.services import Candidate, Exclusion
from skillreg.evaluation.models import Expert, ExpertConflict, Panel, PanelMember
from skillreg.policies.schema import Pack
from skillreg.registry.models import Application


def expert_key(expert: Expert) -> str:
    return str(expert.public_id)


def organised_by_province(pack: Pack) -> bool:
    # 004 五(三): the province centre draws from the province's expert pool
    # (甘肃省专项职业能力考核专家库). The packs mark this as experts drawn at random; the
    # others leave how experts are chosen open (文件未规定评估专家的产生方式).
    return pack.evaluation.experts_random.value is True


def pool_authorities(application: Application, pack: Pack) -> QuerySet[Authority]:
    """The receiving authority's pool, and where the province organises it, the province's."""
    q = Q(pk=application.authority_id)
    if organised_by_province(pack):
        q |= Q(level=Authority.Level.PROVINCE, region_code=application.region_code[:2] + "0000")
    return Authority.objects.filter(q)


def pool_experts(application: Application, pack: Pack) -> QuerySet[Expert]:
    return (Expert.objects.filter(active=True, authority__in=pool_authorities(application, pack))
            .select_related("authority").order_by("authority__level", "name", "pk"))


def _norm(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")").upper()


def same_employer(expert: Expert, application: Application) -> str | None:
    institution = application.institution
    if expert.employer_credit_code and _norm(expert.employer_credit_code) == _norm(institution.credit_code):
        return "与申请单位为同一单位（统一社会信用代码相同）"
    if expert.employer and _norm(expert.employer) == _norm(institution.name):
        return "与申请单位为同一单位（单位名称相同）"
    return None


def candidates_and_exclusions(application: Application, pack: Pack, *, panel: Panel | None = None
                              ) -> tuple[list[Expert], list[Candidate], list[Exclusion]]:
    """The pool for a draw and every exclusion with its reason(s).

    ``panel``: a replacement draw for this panel; everyone already on it or declined from
    it is excluded too, and earlier panels for the same applicant count as "before".
    """
    experts = list(pool_experts(application, pack))
    ids = [e.pk for e in experts]
    conflicts: dict[int, str] = dict(
        ExpertConflict.objects.filter(institution_id=application.institution_id, expert_id__in=ids)
        .values_list("expert_id", "reason")
    )
    earlier = (PanelMember.objects.filter(panel__application__institution_id=application.institution_id,
                                          expert_id__in=ids)
               .select_related("panel"))
    if panel is not None:
        earlier = earlier.exclude(panel=panel)
    drawn_before: dict[int, bool] = {}  # expert → declined (True) or served
    for member in earlier:
        declined = member.status in (PanelMember.Status.DECLINED, PanelMember.Status.REPLACED)
        drawn_before[member.expert_id] = drawn_before.get(member.expert_id, False) or declined
    on_panel: dict[int, PanelMember] = {}
    if panel is not None:
        on_panel = {m.expert_id: m for m in panel.members.all()}

    exclusions: list[Exclusion] = []
    for expert in experts:
        reasons = []
        employer = same_employer(expert, application)
        if employer:
            reasons.append(employer)
        if expert.pk in conflicts:
            reasons.append(f"已申报与申请单位存在利害关系：{conflicts[expert.pk]}")
        if expert.pk in drawn_before:
            reasons.append("曾谢绝参加该申请单位的评估" if drawn_before[expert.pk]
                           else "曾被抽取参加该申请单位的评估")
        current = on_panel.get(expert.pk)
        if current is not None:
            if current.status in PanelMember.ACTIVE:
                reasons.append("已是本专家组成员")
            else:
                reasons.append("已谢绝本次评估" + (f"：{current.decline_reason}" if current.decline_reason else ""))
        if reasons:
            exclusions.append(Exclusion(expert_key(expert), "；".join(reasons)))
    candidates = [Candidate(expert_key(e), e.label) for e in experts]
    return experts, candidates, exclusions
