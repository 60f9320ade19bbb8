"""Expert evaluation of a demo application: the panel drawn, each member's own score, the
panel's conclusion — through ``evaluation.services``, as the officials and experts would."""

from __future__ import annotations

import datetime as dt
import random

from skillreg.accounts.models import User
from skillreg.core import clock
from skillreg.evaluation.models import Panel, PanelMember
from skillreg.evaluation.services import (
    evaluation_plan_file,
    panel_conclude,
    panel_draw,
    panel_member_decline,
    panel_replace,
    score_submit,
)
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Application
from skillreg.web.demo_common import Demo, seeded

NAMED_EXPERTS = frozenset({"bz-expert", "wh-expert"})

PASS_OPINIONS = (
    "考核场地和设施设备符合考核规范要求，考务管理、保密、档案等制度健全，考评人员配备充足，建议予以备案。",
    "现场查看理论考场和实操考场，视频监控可全程录像并保存；管理人员到位，建议通过评估。",
    "申报材料齐全真实，考核项目与场地设备相适应；建议完善考评员轮换和应急预案后开展考核。",
    "考核流程清晰，收费标准公示到位，建议通过；请在首次考核前完成监控系统与鉴定中心联网。",
)
FAIL_OPINIONS = (
    "实操考场面积不足，设备数量达不到同时考核一个批次的要求，建议暂不予备案。",
    "考评人员多为本机构培训教师，难以落实考培分离，不符合要求。",
)
NOTES = {
    True: ("材料齐全", "符合要求", "设备运行正常", "制度健全", "答辩清楚"),
    False: ("场地不足", "设备不全", "制度不完善", "人员不足"),
}


def _items(rng: random.Random, methods: list[str], passed: bool) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for n, method in enumerate(methods):
        note = rng.choice(NOTES[passed])
        # The form takes a 0–100 score or a pass/fail per method; the demo uses both.
        if n % 2 == 0:
            score = rng.randint(80, 95) if passed else rng.randint(48, 62)
            items.append({"method": method, "score": score, "notes": note})
        else:
            items.append({"method": method, "passed": passed or rng.random() < 0.3, "notes": note})
    return items


def _expert_user(member: PanelMember) -> User:
    user = member.expert.user
    if user is None:  # every demo expert has an account; an expert without one cannot score
        raise RuntimeError(f"{member.expert.name} 没有登录账号，不能提交评分")
    return user


def file_plan(demo: Demo, application: Application, *, clerk: User, at: dt.datetime) -> dt.datetime:
    """004 五(二): the evaluation plan, filed the working days the pack asks before the
    evaluation; returns the evaluation day (09:00)."""
    rule = get_pack(application.pack_id).clocks.evaluation_plan
    day = demo.add_workdays(at.astimezone(clock.LOCAL_TZ).date(), (rule.workdays or 0) + 2)
    evaluation_plan_file(actor=clerk, application=application, evaluation_date=day, at=at,
                         content=("一、评估时间和地点：申请单位考核场地。\n二、评估方式：听取报告、文件审核、技术抽查、访谈咨询、"
                                  "质询答辩、现场考察。\n三、专家组：从省专项职业能力考核专家库随机抽取 3 名。\n"
                                  "四、评估标准：《甘肃省专项职业能力考核项目评估标准》。"))
    return demo.on(day, 9)


def evaluate(demo: Demo, application: Application, *, handler: User, at: dt.datetime, size: int = 3,
             finish: bool = True, passed: bool = True, decline: bool = False) -> dt.datetime:
    """Draw a panel at ``at``; members score over the next hours; conclude unless ``finish``
    is False (then one member — a named demo account when drawn — has yet to score).

    ``decline``: the first member declines and a replacement is drawn (a second record).
    Returns when the evaluation ended (or the last score was submitted).
    """
    rng = seeded(f"panel:{application.institution.name}:{application.kind}")
    methods = list(get_pack(application.pack_id).evaluation.methods.items)
    panel = panel_draw(actor=handler, application=application, size=size, at=at)
    step = dt.timedelta(hours=1)
    when = at
    if decline:
        first = panel.members.select_related("expert__user").order_by("pk")[0]
        when += step
        panel_member_decline(actor=_expert_user(first), member=first, at=when,
                             reason="评估当日已有省里安排的评审任务，时间冲突，无法参加")
        when += step
        panel_replace(actor=handler, panel=panel, at=when)
    members = list(Panel.objects.get(pk=panel.pk).members.filter(status=PanelMember.Status.DRAWN)
                   .select_related("expert__user").order_by("pk"))
    waiting = None
    if not finish:
        named = [m for m in members if m.expert.user and m.expert.user.username in NAMED_EXPERTS]
        waiting = named[0] if named else members[-1]
    for member in members:
        if member is waiting:
            continue
        when += step
        # On a failing panel most, not necessarily all, members say 不合格.
        verdict = passed or (member is members[-1] and rng.random() < 0.3)
        score_submit(actor=_expert_user(member), member=member, items=_items(rng, methods, verdict),
                     passed=verdict, opinion=rng.choice(PASS_OPINIONS if verdict else FAIL_OPINIONS), at=when)
    if not finish:
        return when
    when += step
    summary = ("专家组经文件审核、技术评估和实地考察，一致认为申请单位具备开展所申报项目考核的条件，评估合格。"
               if passed else "专家组认为申请单位考核场地和设备不能满足考核规范要求，评估不合格，建议不予备案。")
    panel_conclude(actor=handler, panel=panel, passed=passed, summary=summary, at=when)
    return when
