"""What a screening run says, in plain Chinese, and the pieces its page and export show."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from skillreg.archives import similarity
from skillreg.archives.models import ScreeningPair, ScreeningRoom, ScreeningRun

METHOD_TEXT = (
    "对同一考场每两名考生，统计“选了同一个错误选项”的题数 x。按两人各自所在得分组的作答分布"
    "（同分数段考生各选项的比例，不含本人），计算两人独立作答时出现这么多或更多相同错误的精确概率"
    "（广义二项检验，van der Linden & Sotaridona, 2006）。一对考生的概率不超过 α ÷ 本考场对数"
    "（Bonferroni 校正）即判为“异常雷同”；一个诚实作答的考场出现任何一对误判的概率不超过 α。"
)
CAVEAT = "本结果是统计筛查，只说明雷同程度难以用独立作答解释；认定违规须结合座位安排、原始答卷、监控录像等核实。"
KEY_MODAL = "本次未导入标准答案，以各题选择人数最多的选项推定为标准答案（推定答案可能与真实答案不同）。"
KEY_GIVEN = "标准答案为导入的标准答案。"


def fraction_text(run: ScreeningRun) -> str:
    if not run.rule_fraction:
        return run.rule_note or "文件未规定"
    f = Fraction(run.rule_fraction)
    words = {Fraction(1, 3): "三分之一", Fraction(1, 2): "二分之一", Fraction(1, 4): "四分之一"}
    return f"{words.get(f, run.rule_fraction)}{'以上' if run.rule_inclusive else '（不含本数）以上'}"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def room_reading(run: ScreeningRun, room: ScreeningRoom) -> str:
    if room.pairs == 0:
        return f"考场 {room.room} 只有 1 名考生，无可比对的答卷。"
    head = (f"考场 {room.room} 共 {room.candidates} 名考生、{room.pairs} 对答卷，"
            f"每对的判定阈值为 p ≤ {similarity.format_p(room.pair_alpha or 0)}。")
    if room.flagged_pairs == 0:
        return head + "没有异常雷同的答卷对。"
    body = (f"{room.flagged_pairs} 对答卷异常雷同，涉及 {room.flagged_candidates} 名考生，"
            f"占本考场考生的 {percent(room.share)}。")
    if room.reaches_rule is None:
        verdict = f"所适用的政策包对“答卷异常雷同”的考场比例{run.rule_note or '未作规定'}，系统不作考场判定。"
    elif room.reaches_rule:
        verdict = (f"已达到 {run.rule_source}“同一考场{fraction_text(run)}考生答卷异常雷同”的情形，"
                   "可据此启动对考核机构的核查。")
    else:
        verdict = f"未达到 {run.rule_source}“{fraction_text(run)}”的比例。"
    return head + body + verdict


def pair_reading(pair: ScreeningPair) -> str:
    return (f"{pair.examinee_a} 与 {pair.examinee_b} 有 {pair.identical_incorrect} 道题选了同一个错误选项，"
            f"按各自水平独立作答的期望约为 {pair.expected:.1f} 道；独立作答时出现这么多或更多相同错误的概率约为 "
            f"{similarity.format_p(pair.p_value)}。")


def shared_items_text(pair: ScreeningPair, item_names: list[str]) -> str:
    parts = []
    for number, option in pair.shared_items:
        name = item_names[number - 1] if 0 < number <= len(item_names) else f"第{number}题"
        parts.append(f"{name}={option}")
    return "、".join(parts)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    beyond: bool  # the bin lies at z ≥ 3 (where flagged pairs usually fall)


def histogram(run: ScreeningRun, *, width: int = 560, height: int = 140) -> dict[str, object]:
    """Inline-SVG geometry of the distribution of z over every within-room pair."""
    counts: list[int] = list(run.histogram or [])
    edges = similarity.hist_edges()
    if not counts or len(counts) != len(edges) - 1:
        return {"bars": [], "width": width, "height": height}
    top = max(counts) or 1
    bar_w = width / len(counts)
    bars = []
    for index, count in enumerate(counts):
        h = 0 if count == 0 else max(3.0, (height - 20) * count / top)
        bars.append(Bar(x=round(index * bar_w, 1), y=round(height - 15 - h, 1), width=round(bar_w - 1, 1),
                        height=round(h, 1), count=count,
                        label=f"z ∈ [{edges[index]:g}, {edges[index + 1]:g})：{count} 对",
                        beyond=edges[index] >= 3))
    ticks = [{"x": round((z - similarity.HIST_LO) / similarity.HIST_STEP * bar_w, 1), "label": f"{z:g}"}
             for z in range(int(similarity.HIST_LO), int(similarity.HIST_HI) + 1, 2)]
    return {"bars": bars, "width": width, "height": height, "ticks": ticks, "max": top}
