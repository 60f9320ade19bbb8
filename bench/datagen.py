"""Synthetic data at scale: Chinese names, valid ID numbers and 统一社会信用代码, spread over regions.

Everything is drawn from a seeded ``random.Random`` so a run is reproducible. The spreads are
plausible rather than census-exact: surnames follow the published frequency ranking (王、李、
张 … about 30 % of people carry one of the top five), regions are weighted roughly by
population, levels lean to 初级/中级 as the certificate statistics do.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric, uscc

# Top surnames with approximate shares (per mille) of the population; the rest share the tail.
SURNAMES: list[tuple[str, int]] = [
    ("王", 72), ("李", 71), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 21),
    ("吴", 20), ("周", 19), ("徐", 18), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 10), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3), ("熊", 3), ("秦", 3),
    ("邱", 3), ("江", 3), ("尹", 3), ("薛", 3), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("欧阳", 1), ("司马", 1), ("诸葛", 1), ("上官", 1),
]
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲志红斌梅鹏飞宇浩然"
         "子轩欣怡梓涵雨晨俊杰思远佳琪嘉怡博文诗涵一诺晓东海燕春梅德华永刚玉兰秀珍建华立新"
         "凤英淑珍慧敏丹丹亮波宁鑫鹏婷婷雪梅金凤红梅丽娟国强志强建军小龙晓燕桂兰")

# (region code, place name, weight): provinces' capitals and a few more cities.
REGIONS: list[tuple[str, str, int]] = [
    ("110100", "北京市", 22), ("120100", "天津市", 14), ("130100", "石家庄市", 11), ("130600", "保定市", 11),
    ("140100", "太原市", 5), ("150100", "呼和浩特市", 3), ("150300", "乌海市", 1), ("210100", "沈阳市", 9),
    ("220100", "长春市", 9), ("230100", "哈尔滨市", 10), ("310100", "上海市", 25), ("320100", "南京市", 9),
    ("320500", "苏州市", 13), ("330100", "杭州市", 12), ("340100", "合肥市", 9), ("350100", "福州市", 8),
    ("360100", "南昌市", 6), ("370100", "济南市", 9), ("370200", "青岛市", 10), ("410100", "郑州市", 13),
    ("420100", "武汉市", 12), ("430100", "长沙市", 10), ("440100", "广州市", 19), ("440300", "深圳市", 18),
    ("450100", "南宁市", 9), ("460100", "海口市", 3), ("500100", "重庆市", 32), ("510100", "成都市", 21),
    ("511900", "巴中市", 3), ("520100", "贵阳市", 6), ("530100", "昆明市", 8), ("540100", "拉萨市", 1),
    ("610100", "西安市", 13), ("620100", "兰州市", 4), ("630100", "西宁市", 2), ("640100", "银川市", 3),
    ("650100", "乌鲁木齐市", 4),
]
DISTRICTS = ["", "", "城关区", "新城区", "高新区", "经开区", "东区", "西区", "南区", "北区", "开发区"]

TRADE = "华兴泰宏远达恒通新金建安盛鑫瑞中天永信博恒润弘昌隆丰源德嘉宇辰星海蓝山川"
INDUSTRY = ["电力", "建筑", "机械", "化工", "交通", "烹饪", "汽车", "电子", "信息", "医药", "纺织", "农业",
            "商贸", "物流", "家政", "美容美发", "轨道交通", "水利", "石油", "冶金", "邮政", "通信", "旅游",
            "养老服务", "健康", "电工", "焊接", "数控", "航空", "船舶"]
KIND_SUFFIX = {
    "enterprise": ["有限公司职业技能等级认定中心", "集团有限公司职业技能等级认定站"],
    "technical_school": ["技工学校职业技能考核鉴定所", "高级技工学校职业技能等级认定中心"],
    "vocational_school": ["职业技术学院职业技能等级认定中心", "职业学校职业技能考核站"],
    "social_body": ["职业技能评价中心", "职业技能考核鉴定所", "职业技能鉴定站"],
    "industry_body": ["行业职业技能鉴定指导中心", "行业职业技能鉴定站"],
    "appraisal_body": ["职业技能鉴定中心", "职业技能鉴定所"],
    "other": ["专项职业能力考核站", "培训评价中心"],
}
KINDS: list[tuple[str, int]] = [("enterprise", 35), ("technical_school", 12), ("vocational_school", 14),
                                ("social_body", 25), ("industry_body", 6), ("appraisal_body", 5), ("other", 3)]
# Levels as certificates are issued: mostly 初级 and 中级.
LEVEL_WEIGHTS: list[tuple[int, int]] = [(5, 45), (4, 32), (3, 15), (2, 6), (1, 2)]
COMMON_OCCUPATIONS = ["电工", "焊工", "中式烹调师", "中式面点师", "育婴员", "保育师", "养老护理员", "健康管理师",
                      "汽车维修工", "美容师", "美发师", "保安员", "茶艺师", "钳工", "车工", "数控车工",
                      "电子商务师", "劳动关系协调员", "企业人力资源管理师", "家政服务员", "网络与信息安全管理员",
                      "快递员", "西式面点师", "评茶员", "农艺工", "园林绿化工", "砌筑工", "钢筋工", "架子工",
                      "起重装卸机械操作工", "电梯安装维修工", "制冷空调系统安装维修工", "锅炉操作工", "化工总控工",
                      "无人机驾驶员", "物联网安装调试员", "工业机器人系统操作员", "消防设施操作员", "眼镜验光员",
                      "中药调剂员"]

OCCUPATIONS_CSV = Path(__file__).resolve().parent.parent / "skillreg" / "registry" / "data" / "occupations-2022.csv"


def catalogue_occupations() -> list[str]:
    """The 2022 catalogue's occupation names (workers' groups 4-6 and 2), for the long tail."""
    with OCCUPATIONS_CSV.open(encoding="utf-8") as f:
        return [row["name"] for row in csv.DictReader(f) if row["code"][:1] in "2456"]


def _cumulative(pairs: list[tuple[object, int]]) -> tuple[list[object], list[int]]:
    """Values and cumulative weights (random.choices is several times faster given cum_weights)."""
    values, weights = zip(*pairs, strict=True)
    return list(values), list(itertools.accumulate(weights))


BIRTH_YEARS = range(1975, 2005)  # holders aged about 20-50


def _counties_by_year(city: str) -> dict[int, list[str]]:
    """County codes under ``city`` (4 digits) that existed in each birth year, by stdnum's table."""
    from stdnum import numdb

    table = numdb.get("cn/loc")
    by_year: dict[int, list[str]] = {year: [] for year in BIRTH_YEARS}
    for suffix in range(1, 100):
        code = f"{city}{suffix:02d}"
        info = {k: v for _, props in table.info(code) for k, v in props.items()}
        for county in info.get("county", "").split(","):
            if not county:
                continue
            start, end = (county[1:].split("]")[0].split("-") if county.startswith("[") else ("", ""))
            for year in BIRTH_YEARS:
                if (not start or int(start) <= year) and (not end or year <= int(end)) and code not in by_year[year]:
                    by_year[year].append(code)
    return by_year


@dataclass
class Person:
    name: str
    id_number: str


class Generator:
    def __init__(self, seed: int = 8) -> None:
        self.rnd = random.Random(seed)
        self._surnames, self._surname_w = _cumulative(SURNAMES)  # type: ignore[arg-type]
        self._regions = REGIONS
        self._region_w = list(itertools.accumulate(w for _, _, w in REGIONS))
        self._kinds, self._kind_w = _cumulative(KINDS)  # type: ignore[arg-type]
        self._levels, self._level_w = _cumulative(LEVEL_WEIGHTS)  # type: ignore[arg-type]
        self._tail = catalogue_occupations()
        self._counties = {code[:4]: _counties_by_year(code[:4]) for code, _, _ in REGIONS}

    # --- people ---------------------------------------------------------------------------

    def person_name(self) -> str:
        surname = self.rnd.choices(self._surnames, cum_weights=self._surname_w)[0]
        n = 1 if self.rnd.random() < 0.25 else 2
        return str(surname) + "".join(self.rnd.choice(GIVEN) for _ in range(n))

    def id_number(self, region_code: str | None = None) -> str:
        """A valid 18-character 居民身份证号码 (GB 11643): county, birth date, order, check digit.

        The county is one that existed in the birth year by python-stdnum's table, so the numbers
        pass ``stdnum.cn.ric.validate`` (birth place included), not only the check digit.
        """
        region = region_code or self.region()[0]
        r = self.rnd.random
        by_year = self._counties[region[:4]]
        year = BIRTH_YEARS.start + int(r() * len(BIRTH_YEARS))
        while not by_year[year]:  # a city whose districts were all renumbered later (深圳 1979 …)
            year = BIRTH_YEARS.start + int(r() * len(BIRTH_YEARS))
        counties = by_year[year]
        county = counties[int(r() * len(counties))]
        # Days 1-28 keep every date valid without a calendar lookup.
        month, day, order = int(r() * 12) + 1, int(r() * 28) + 1, int(r() * 1000)
        body = f"{county}{year}{month:02d}{day:02d}{order:03d}"
        # stdnum's calc_check_digit takes the number with its (any) check character.
        return body + ric.calc_check_digit(body + "0")

    def person(self, region_code: str | None = None) -> Person:
        return Person(self.person_name(), self.id_number(region_code))

    # --- places, bodies --------------------------------------------------------------------

    def region(self) -> tuple[str, str]:
        code, name, _ = self.rnd.choices(self._regions, cum_weights=self._region_w)[0]
        return code, name

    def kind(self) -> str:
        return str(self.rnd.choices(self._kinds, cum_weights=self._kind_w)[0])

    def level(self) -> int:
        return int(self.rnd.choices(self._levels, cum_weights=self._level_w)[0])  # type: ignore[call-overload]

    def occupation(self) -> str:
        if self.rnd.random() < 0.8:
            return self.rnd.choice(COMMON_OCCUPATIONS)
        return self.rnd.choice(self._tail)

    def institution_name(self, place: str, kind: str) -> str:
        district = self.rnd.choice(DISTRICTS)
        trade = "".join(self.rnd.choice(TRADE) for _ in range(2))
        industry = self.rnd.choice(INDUSTRY)
        suffix = self.rnd.choice(KIND_SUFFIX[kind])
        return f"{place}{district}{trade}{industry}{suffix}"

    def credit_code(self, region_code: str, serial: int) -> str:
        """A valid 统一社会信用代码 (GB 32100), built as skillreg.registry.factories.make_credit_code
        builds it (that helper imports Django models; the generators run without Django)."""
        registrar = "9" if self.rnd.random() < 0.6 else "5"  # 9 工商 (enterprises), 5 民政
        body = f"{registrar}{'1' if registrar == '9' else '2'}{region_code}{serial:09d}"
        return body + uscc.calc_check_digit(body)

    def scope(self) -> list[tuple[str, list[int]]]:
        """1-6 occupations, each at 1-4 consecutive levels from 初级 up."""
        items: dict[str, list[int]] = {}
        for _ in range(self.rnd.randint(1, 6)):
            top = self.rnd.choice([5, 4, 3, 2, 1])
            items.setdefault(self.occupation(), list(range(5, top - 1, -1)))
        return list(items.items())


def national_body_code(kind_letter: str, province: str, seq: int) -> str:
    """Y/S + 4-digit ministry code (0000: filed by a province) + 2-digit province + 6-digit sequence."""
    return f"{kind_letter}0000{province}{seq:06d}"


def chunks(iterable: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
