"""What every part of the demo set shares: the demo's "now", backdated instants on working
days, the people's names and ID numbers, a PDF to upload, and the accounts.

The demo is built through the real services with explicit ``at`` values, so every record,
deadline and audit event reads as if it had happened on that day. Names and numbers come
from a seeded generator: the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.services import user_create
from skillreg.core import clock
from skillreg.workdays.calendar import WorkCalendar

# A one-page PDF, enough for the material checks (the upload is checked by content).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def pdf(name: str = "证明材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


@dataclass
class Demo:
    """The demo's clock and the people it acts as."""

    now: dt.datetime
    by_name: dict[str, Authority]
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(clock.LOCAL_TZ).date()

    def user(self, username: str) -> User:
        return User.objects.select_related("authority", "institution").get(username=username)

    def authority(self, name: str) -> Authority:
        return self.by_name[name]

    def on(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        """``day`` at ``hour``:``minute`` in China; never later than now (a demo has no future events)."""
        instant = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.LOCAL_TZ)
        latest = self.now - dt.timedelta(minutes=5)
        return min(instant, latest)

    def local_date(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(clock.LOCAL_TZ).date()

    def ago(self, days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        return self.on(self.today - dt.timedelta(days=days), hour, minute)

    def day(self, days_from_today: int) -> dt.date:
        return self.today + dt.timedelta(days=days_from_today)

    # --- working days (exam windows and evaluation plans count them) -------------------

    def is_workday(self, day: dt.date) -> bool:
        return self.calendar.day(day).is_workday

    def workday_on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.add_workdays(day, n).date


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# The demo password hashed once: PBKDF2 takes about a second per hash by design, and the
# named accounts all share the one password printed on screen.
_hashed: dict[tuple[str, str], str] = {}


def demo_account(*, username: str, role: Role | str, display_name: str, password: str | None,
                 authority: Authority | None = None, institution: object = None,
                 at: dt.datetime | None = None) -> tuple[User, bool]:
    """An account, created once through ``accounts.services.user_create`` (audited).

    ``password`` None: an account that cannot sign in (a pool member who only appears on
    records); the demo's named accounts all share the demo password, hashed once.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = user_create(actor=None, username=username, password=None, role=role,  # type: ignore[arg-type]
                       display_name=display_name, authority=authority, institution=institution,
                       at=at or clock.now())
    if password is not None:
        key = (password, settings.PASSWORD_HASHERS[0])
        if key not in _hashed:
            _hashed[key] = make_password(password)
        user.password = _hashed[key]
        user.save(update_fields=["password"])
    return user, True


# --- people: names and 居民身份证号码 ---------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃向苟冉岳")
MALE = ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
        "宇", "浩", "建国", "志强", "海涛", "文斌", "建华", "永刚", "国平", "晓东", "俊杰", "明亮", "德华", "春雷")
FEMALE = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "颖", "倩", "洁", "慧", "红",
          "秀英", "桂英", "晓燕", "丽娟", "春梅", "海燕", "雅琴", "小红", "玉兰", "婉婷", "欣怡", "思雨", "佳琪")
# 乌海 has many Mongolian given names, written as one name without a surname.
MONGOLIAN = ("巴特尔", "其木格", "乌日娜", "阿拉坦", "苏和", "额尔敦", "斯琴", "乌兰", "孟和", "萨仁", "朝鲁", "娜仁")


def seeded(seed: str) -> random.Random:
    """A generator that gives the same demo on every machine (names, scores, answers)."""
    return random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    male: bool


class People:
    """Seeded: the same people on every run; every ID number unique within the demo."""

    def __init__(self, seed: str) -> None:
        self.rng = seeded(seed)
        self._serial = 0
        self._names: set[str] = set()

    def _name(self, male: bool, mongolian: bool) -> str:
        for _ in range(50):
            if mongolian and self.rng.random() < 0.35:
                name = self.rng.choice(MONGOLIAN)
                if name in self._names:
                    name = self.rng.choice(SURNAMES) + name
            else:
                name = self.rng.choice(SURNAMES) + self.rng.choice(MALE if male else FEMALE)
            if name not in self._names:
                self._names.add(name)
                return name
        return name

    def person(self, regions: tuple[str, ...], *, born: tuple[int, int] = (1972, 2004),
               mongolian: bool = False) -> Person:
        male = self.rng.random() < 0.55
        year = self.rng.randint(*born)
        birth = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        self._serial += 1
        # The 3-digit sequence: unique per demo, odd for a man and even for a woman (GB 11643).
        seq = (self._serial * 2 + (1 if male else 0)) % 1000
        body = f"{self.rng.choice(regions)}{birth:%Y%m%d}{seq:03d}"
        # calc_check_digit reads all but the last character.
        return Person(self._name(male, mongolian), body + ric.calc_check_digit(body + "0"), male)

    def people(self, n: int, regions: tuple[str, ...], **kw: object) -> Iterator[Person]:
        for _ in range(n):
            yield self.person(regions, **kw)  # type: ignore[arg-type]


BAZHONG_COUNTIES = ("511902", "511903", "511921", "511922", "511923")  # 巴州 恩阳 通江 南江 平昌
WUHAI_DISTRICTS = ("150302", "150303", "150304")  # 海勃湾 海南 乌达
