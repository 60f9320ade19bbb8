"""Browser tests: Playwright (sync API) driving Debian's Chromium against ``live_server``.

Every page a journey opens is watched: a console error, an uncaught script error, a failed
request or a response of 500 and above fails the test (checked after the test body, so it
is reported as the test's own failure, with the URLs). Screenshots land in
``test-artifacts/screenshots/<test name>/NN-<step>.png`` (git-ignored).

Chromium is the system's (``/usr/bin/chromium``, package ``chromium``); nothing is downloaded.
Set ``SKILLREG_E2E_CHROMIUM`` to use another binary. Without a browser the tests are skipped
with the reason, never silently passed; with ``SKILLREG_E2E_REQUIRED=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (it is: the loop only talks to the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache

# The factories' password: every user made by make_user / UserFactory has it.
from skillreg.accounts.factories import DEFAULT_PASSWORD as PASSWORD

# skillreg/conftest.py applies only below skillreg/; the same fixtures, re-declared here.
from skillreg.conftest import (  # noqa: F401
    NOW,
    _media_in_tmp,
    admin_user,
    bazhong,
    bz_official,
    chengdu,
    fast_password_hashing,
    frozen_clock,
    make_user,
    sichuan,
    wh_official,
    wuhai,
)

CHROMIUM = os.environ.get("SKILLREG_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--lang=zh-CN"]
# The browser's own widgets (file picker, date fields) in Chinese, as on an office PC; needs
# Debian's chromium-l10n, else they stay in English (the pages are unaffected).
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN:zh"}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000
# No tolerated 404 any more: base.html links its icon and /favicon.ico redirects to it
# (skillreg/web/urls.py). Kept as the one place to list one, should a page ever need it.
TOLERATED_404: tuple[str, ...] = ()
# Visible form fields without a <label>, aria-label, aria-labelledby or title (a placeholder is
# not a label): their names, or the start of their markup.
UNLABELLED_JS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]), select, textarea'))
  .filter(el => el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.title)
  .map(el => el.name || el.id || el.outerHTML.slice(0, 60))"""


# ---------------------------------------------------------------- the browser


def _unavailable(reason: str) -> None:
    if os.environ.get("SKILLREG_E2E_REQUIRED", "").strip() in ("1", "true", "yes"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        _unavailable("playwright 未安装（pip install -e '.[dev]'）")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"找不到 Chromium：{CHROMIUM}（apt-get install chromium chromium-l10n）")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Problems:
    """What went wrong in the pages of one test, grouped: the same message on many pages is one line."""

    seen: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, who: str, text: str, where: str = "") -> None:
        self.seen.setdefault((who, text), []).append(where)

    @property
    def lines(self) -> list[str]:
        out = []
        for (who, text), places in self.seen.items():
            distinct = list(dict.fromkeys(p for p in places if p))
            where = f"（{len(places)} 次；{'、'.join(distinct[:4])}{' 等' if len(distinct) > 4 else ''}）" if distinct \
                else (f"（{len(places)} 次）" if len(places) > 1 else "")
            out.append(f"[{who}] {text}{where}")
        return out


@pytest.fixture(autouse=True)
def _account_pages(settings: Any) -> None:
    from e2e import urls

    if not urls.ACCOUNTS_MOUNTED:
        warnings.warn("skillreg/urls.py 未挂载 skillreg.accounts.urls（两步验证页面）；浏览器测试临时挂载于 /account/",
                      stacklevel=1)
        settings.ROOT_URLCONF = "e2e.urls"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The complaint rate limit counts in the cache; each journey starts with a clean count.
    cache.clear()


class Web:
    """The browser side of one test: one context (own cookies) per person, all watched."""

    def __init__(self, browser: Any, base_url: str, name: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.problems = Problems()
        self.contexts: list[Any] = []
        self.shots = ARTIFACTS / name
        if self.shots.exists():
            shutil.rmtree(self.shots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.counter = 0
        self.unlabelled: dict[str, set[str]] = {}

    def new_page(self, who: str) -> Any:
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                           viewport={"width": 1366, "height": 900}, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: self._console(who, msg))
        page.on("pageerror", lambda exc: self.problems.add(who, f"页面脚本异常：{exc}", _path(page.url)))
        page.on("requestfailed", lambda req: self._failed(who, req))
        page.on("response", lambda resp: self._response(who, resp))
        return page

    def _console(self, who: str, msg: Any) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            if where.endswith(TOLERATED_404):
                return
            text = msg.text
            if "Content Security Policy" in text:
                # One line per kind of violation; the hash in the rest differs per element.
                text = text.split(". ")[0]
            self.problems.add(who, f"控制台错误：{text}", _path(where))

    def _failed(self, who: str, request: Any) -> None:
        failure = request.failure or ""
        # A download the page hands to the browser ends its request with net::ERR_ABORTED in
        # Chromium: that is the download, not a failure.
        if "ERR_ABORTED" in failure and request.resource_type == "document" and self._was_download(request):
            return
        self.problems.add(who, f"请求失败：{request.method} {failure}", _path(request.url))

    @staticmethod
    def _was_download(request: Any) -> bool:
        try:
            response = request.response()
        except Exception:
            return False
        return response is not None and "attachment" in (response.headers.get("content-disposition") or "")

    def _response(self, who: str, response: Any) -> None:
        if response.status >= 500:
            self.problems.add(who, f"服务器错误 {response.status}：{response.request.method}", _path(response.url))

    def shot(self, page: Any, step: str, *, full_page: bool = True) -> Path:
        """Save a screenshot of ``page``; numbered in the order the journey took them.

        Also notes the page's visible form fields that have no label (a report, not a failure:
        see ``unlabelled-fields.txt`` next to the screenshots)."""
        self.counter += 1
        safe = re.sub(r"[^\w\-]+", "-", step).strip("-")
        path = self.shots / f"{self.counter:02d}-{safe}.png"
        page.screenshot(path=str(path), full_page=full_page)
        # Rows of a formset count once: staff-3-name and staff-4-name are both staff-N-name.
        missing = {re.sub(r"-\d+-", "-N-", name) for name in page.evaluate(UNLABELLED_JS)}
        if missing:
            self.unlabelled.setdefault(_path(page.url).split("?")[0], set()).update(missing)
        return path

    def assert_clean(self) -> None:
        if self.problems.lines:
            raise AssertionError("页面出现错误：\n" + "\n".join(self.problems.lines))

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        if self.unlabelled:
            lines = [f"{page}: {'、'.join(sorted(fields))}" for page, fields in sorted(self.unlabelled.items())]
            (self.shots / "unlabelled-fields.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _path(url: str) -> str:
    """A URL without the live server's scheme and port: the same page reads the same in every run."""
    return re.sub(r"^https?://[^/]+", "", url or "")


@pytest.fixture
def web(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Web]:
    session = Web(browser, live_server.url, request.node.name)
    yield session
    session.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # After the test body: any console error or failed request makes the test itself fail.
    result = yield
    session = getattr(item, "funcargs", {}).get("web")
    if isinstance(session, Web):
        session.assert_clean()
    return result


# ---------------------------------------------------------------- logging in


OTP_INPUTS = ('input[autocomplete="one-time-code"]', 'input[name="otp"]', 'input[name="otp_token"]')


def login(web: Web, user: Any, *, password: str = PASSWORD, who: str | None = None) -> Any:
    """A new browser (own cookies) logged in as ``user`` through the real login page.

    Officials and experts must give a TOTP second factor (skillreg.accounts.twofactor): if the
    page after the password asks for a code, it is computed from the user's device, the
    confirmed one, or on the enrolment page the one being enrolled (as a phone would).
    """
    page = web.new_page(who or user.username)
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    otp = _otp_input(page)
    if otp is not None:
        otp.fill(totp_for(user))
        page.locator("form").filter(has=otp).locator('button[type="submit"], input[type="submit"]').first.click()
        page.wait_for_load_state()
        if _otp_input(page) is not None:
            error = " ".join(page.locator('[role="alert"], .form-error').all_inner_texts())
            raise AssertionError(f"{user.username} 的动态口令未通过：{error or page.url}")
    if "/login" in page.url:
        error = " ".join(page.locator(".form-error, .errorlist").all_inner_texts())
        raise AssertionError(f"{user.username} 未能登录：{error or page.url}")
    return page


def _otp_input(page: Any) -> Any | None:
    for selector in OTP_INPUTS:
        found = page.locator(selector)
        if found.count():
            return found.first
    return None


def totp_for(user: Any) -> str:
    """The current code of ``user``'s TOTP device, never one it has already accepted.

    The confirmed device if there is one, else the one the enrolment page is showing.
    django-otp verifies with the wall clock (time.time()), not the project clock, and refuses
    a time step at or before the last one used (replay protection); within its tolerance the
    next step is accepted, so a second login in the same 30 seconds uses that one.
    """
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id")
    device = devices.first()
    if device is None:
        raise AssertionError(f"{user.username} 被要求输入动态口令，但没有 TOTP 设备")
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token.time = time.time()
    if token.t() <= device.last_t:
        token.time += (device.last_t + 1 - token.t()) * device.step
    return f"{token.token():0{device.digits}d}"


# ---------------------------------------------------------------- small page helpers


def submit_button(page: Any, name: str) -> Any:
    """The (first) button whose text is ``name`` exactly."""
    return page.get_by_role("button", name=name, exact=True).first


def messages_text(page: Any) -> str:
    return " ".join(page.locator("ul.messages li").all_inner_texts())
