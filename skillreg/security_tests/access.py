"""The machinery of the permission matrix test (issue 9, Access): every route of the URL
configuration and every operation of /api/v1/openapi.json, asked for by every role in two
regions and by an anonymous visitor, compared with ``permission_matrix.MATRIX``.

What it checks, per route and client (each check names the protection it guards):

* the status of a GET equals the matrix cell — catches a missing login/role check (a 200
  where the matrix says 302/401/403/404);
* for a route with an object in its path, the other region's object answers as the matrix
  says for "other" (404 for officials) — catches a missing ``get_scoped_or_404``;
* no body (HTML, JSON, and the XML inside an .xlsx) of a non-public route contains a marker
  of an institution the client may not see (the other region's institutions for officials
  and pool members, every other institution for an institution user) — catches a list or a
  page that forgets ``scoped(...)``;
* a write (POST/PUT/PATCH/DELETE) by an anonymous visitor, by a role the matrix does not list
  as a writer, and by anyone on the other region's object is refused (302 to the login page,
  401, 403, 404, 405, or 422 "invalid" — the body failed validation before the handler ran),
  never 2xx, never 5xx;
* a route or an operation without a matrix entry fails, naming it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from skillreg.accounts.models import Role, User
from skillreg.accounts.services import token_issue
from skillreg.core import clock

REGIONS = {"bz": "5119", "wh": "1503"}  # 巴中市, 乌海市 (GB/T 2260 prefixes)
REGION_ROLES = [r for r in Role if r != Role.SYSADMIN]
REFUSED = {401, 403, 404, 405}
SKIPPED_PREFIXES = ("admin/",)  # Django's admin: staff only, tested by Django itself
# A uuid no object has: parameters the seed cannot name (see the entry's note) get it.
NOBODY = str(uuid.UUID(int=1))
NOBODY_PK = "2147483000"


@dataclass(frozen=True)
class Who:
    label: str  # "anon", "sysadmin", "bz:filing_official", ...
    role: str  # "anon", "sysadmin" or a Role value
    region: str | None  # "bz" / "wh"
    user: User | None = None
    token: str = ""


@dataclass(frozen=True)
class Route:
    key: str  # URL name ("registry:application") or API operation ("GET /api/v1/applications/{public_id}")
    path: str  # with {param} placeholders
    params: tuple[str, ...]
    method: str = "GET"


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    observed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fail(self, route: Route, who: Who, text: str) -> None:
        self.failures.append(f"{route.key} [{who.label}]: {text}")


# ---------------------------------------------------------------- routes


def _walk(patterns: list[Any], prefix: str = "", ns: str | None = None) -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ns
            if p.namespace:
                inner = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{ns}:{p.name}" if ns else str(p.name)


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def page_routes(urlconf: str) -> list[Route]:
    """Every named page of the URL configuration (the API's own patterns come from its schema)."""
    out = []
    for pattern, name in _walk(get_resolver(urlconf).url_patterns):
        if pattern.startswith(SKIPPED_PREFIXES) or (pattern.startswith("api/v1/") and name != "api:openapi-view"):
            continue
        path = "/" + _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", pattern)
        out.append(Route(name, path, tuple(m.group(2) for m in _CONVERTER.finditer(pattern))))
    return out


def api_routes(schema: dict[str, Any]) -> list[Route]:
    out = []
    for path, ops in schema["paths"].items():
        params = tuple(re.findall(r"{(\w+)}", path))
        for method in ops:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                out.append(Route(f"{method.upper()} {path}", path, params, method.upper()))
    return out


# ---------------------------------------------------------------- objects for path parameters


def source_value(spec: tuple[str, str, str], region: str) -> str:
    """The value of ``value_path`` of the first ``model`` whose ``region_path`` is in the region."""
    label, region_path, value_path = spec
    model: type[Model] = apps.get_model(label)
    qs = model._default_manager.filter(**{f"{region_path}__startswith": REGIONS[region],
                                          f"{value_path}__isnull": False}).order_by("pk")
    try:
        value = qs.values_list(value_path, flat=True).first()
    except FieldError as exc:
        raise LookupError(f"{label}: {exc}") from exc
    if value is None:
        # The demo set has this object in one region only: an id of no object stands in
        # (404 for everyone; the other region's real object still tests the refusal).
        return NOBODY_PK if value_path == "pk" else NOBODY
    return str(value)


def fill(route: Route, rules: list[tuple[str, str, str]], sources: dict[str, tuple[str, str, str]],
         region: str) -> str:
    """The route's path with each parameter taken from the first rule whose pattern matches the
    path: ``@source`` is a seeded object of the region, anything else a literal."""
    values: dict[str, str] = {}
    for param in route.params:
        given = next((v for pat, name, v in rules if name == param and re.search(pat, route.path)), None)
        if given is None:
            raise LookupError(f"{route.key}：参数 {param} 在 PARAMS 中没有来源")
        values[param] = source_value(sources[given[1:]], region) if given.startswith("@") else given
    return route.path.format(**values)


# ---------------------------------------------------------------- who asks


def clients(usernames: dict[str, str]) -> list[Who]:
    """Anonymous, the administrator, and one account per role in each region."""
    out = [Who("anon", "anon", None)]
    for label, username in usernames.items():
        user = User.objects.get(username=username)
        token = token_issue(user=user, at=clock.now()).secret
        role = "sysadmin" if user.role == Role.SYSADMIN else user.role
        region = None if role == "sysadmin" else label.split(":")[0]
        out.append(Who(label, role, region, user, token))
    return out


def _client(who: Who) -> Client:
    # An exception in a view is a 500 in the report (with the route named), not the end of the run.
    client = Client(raise_request_exception=False)
    if who.user is not None:
        client.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# ---------------------------------------------------------------- markers


def markers(role: str, who: Who) -> list[str]:
    """What must never appear in a non-public body shown to ``who``: names and credit codes of
    institutions outside their reach."""
    from skillreg.registry.models import Institution

    if who.region is None:
        return []
    qs = Institution.objects.all()
    if role == Role.INSTITUTION_USER:
        qs = qs.exclude(pk=who.user.institution_id)  # type: ignore[union-attr]
    else:
        qs = qs.exclude(region_code__startswith=REGIONS[who.region])
    out = []
    for name, code in qs.values_list("name", "credit_code"):
        out += [name, code]
    return out


def _text(response: Any) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content[:2] == b"PK":  # .xlsx/.docx: the shared strings and sheets are XML inside the zip
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes non-ASCII ("\\u5df4"): compare names as a reader sees them.
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


# ---------------------------------------------------------------- the check


def _cell(entry: dict[str, Any], who: Who) -> Any:
    get = entry["get"]
    for key in (who.label, who.role):
        if key in get:
            return get[key]
    return get.get("*")


def _refused(response: Any) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302:
        return "/login/" in response.get("Location", "") or "/account/2fa" in response.get("Location", "")
    if response.status_code == 422:
        return b'"invalid"' in response.content  # ninja's validation: the handler never ran
    return False


def _request(client: Client, who: Who, method: str, path: str, api: bool) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {who.token}"} if api and who.token else {}
    if method == "GET":
        return client.get(path, **headers)
    return getattr(client, method.lower())(path, data="{}" if api else {},
                                           **({"content_type": "application/json"} if api else {}), **headers)


def _audit_count() -> int:
    """State changes so far: every service records one. Views of a full ID number are audited
    too (a page re-rendered after a refused form shows one) but change nothing."""
    from skillreg.audit.models import AuditEvent

    return AuditEvent.objects.exclude(action__endswith="_viewed").count()


def _plan(route: Route, rules: list[tuple[str, str, str]], sources: dict[str, tuple[str, str, str]],
          report: Report) -> dict[str, str] | None:
    try:
        return {region: fill(route, rules, sources, region) for region in REGIONS}
    except LookupError as exc:
        report.failures.append(str(exc))
        return None


def _targets(route: Route, who: Who, paths: dict[str, str]) -> list[str]:
    """[own region's object, other region's object] (the administrator and anonymous: bz, wh)."""
    own = who.region or "bz"
    other = "wh" if own == "bz" else "bz"
    return [paths[own], paths[other]] if route.params else [paths["bz"]]


def check(routes: list[Route], matrix: dict[str, dict[str, Any]], rules: list[tuple[str, str, str]],
          sources: dict[str, tuple[str, str, str]], everyone: list[Who], *, record: bool = False) -> Report:
    report = Report()
    known = {r.key for r in routes}
    for route in routes:
        if route.key not in matrix:
            report.failures.append(f"{route.key}（{route.path}）：权限矩阵中没有这一项；请在 "
                                   "security_tests/permission_matrix.py 中写明每个角色应得的状态")
    for stale in sorted(set(matrix) - known):
        report.failures.append(f"{stale}：矩阵中有，但路由中已没有这一项（删除它）")
    web = {who.label: _client(who) for who in everyone}
    hidden = {who.label: markers(who.role, who) for who in everyone}
    planned = []
    for route in routes:
        entry = matrix.get(route.key) or ({"get": {}} if record else None)
        if entry is None:
            continue
        paths = _plan(route, rules, sources, report)
        if paths is not None:
            planned.append((route, entry, paths))
            report.observed[route.key] = {}

    # Phase 1: every read, before any write can change what there is to read.
    for route, entry, paths in planned:
        if route.method != "GET":
            continue
        api = route.path.startswith("/api/")
        seen = report.observed[route.key]
        for who in everyone:
            statuses = []
            for path in _targets(route, who, paths):
                response = _request(web[who.label], who, "GET", path, api)
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    report.fail(route, who, f"GET {path} 返回 {response.status_code}")
                if not entry.get("public") and response.status_code == 200:
                    # The leak check: a list or page without scoped(...) shows another region's
                    # (or, to an institution user, another institution's) name or credit code.
                    body = _text(response)
                    leaked = [m for m in hidden[who.label] if m in body]
                    if leaked:
                        report.fail(route, who, f"GET {path} 显示了无权查看的机构：{leaked[:3]}")
            got: Any = statuses[0] if len(statuses) == 1 or statuses[0] == statuses[1] else tuple(statuses)
            seen[who.label] = got
            want = _cell(entry, who)
            if not record and got != want:
                report.fail(route, who, f"GET 期望 {want}，实际 {got}")

    # Phase 2: writes. Refused for anonymous visitors (401/403/404/405 or the login page); on
    # another region's object for every region-bound role (a missing get_scoped_or_404 answers
    # 409/400/2xx there: the handler found the object); and no effect (no 2xx, no audit event)
    # for a role that is not a writer. Writers are not sent writes on their own objects.
    for route, entry, paths in planned:
        api = route.path.startswith("/api/")
        methods = [route.method] if route.method != "GET" else [] if api else ["POST"]
        writers = entry.get("writers", [])
        if not methods or "*" in writers:
            continue
        seen = report.observed[route.key]
        for who in everyone:
            for i, path in enumerate(_targets(route, who, paths)):
                other = i == 1 and who.region is not None and paths["bz"] != paths["wh"]
                if who.role in writers and not other and not record:
                    continue
                before = _audit_count()
                response = _request(web[who.label], who, methods[0], path, api)
                effect = _audit_count() - before
                status = response.status_code
                wrote = bool(effect) or 200 <= status < 300
                if record and wrote and not other:
                    seen.setdefault("wrote", []).append(f"{who.label}#{i}")
                    continue  # a writer, in the matrix to be
                problem = ""
                if status >= 500:
                    problem = f"返回 {status}"
                elif who.role == "anon" and not _refused(response) and not entry.get("public"):
                    problem = f"匿名访问未被拒绝：{status}"
                elif other and not _refused(response):
                    problem = f"其他地区的对象未返回 404：{status}"
                elif effect:
                    problem = f"产生了 {effect} 条审计记录（写入成功）"
                elif api and wrote:
                    problem = f"返回 {status}（成功）"
                if problem:
                    report.fail(route, who, f"{methods[0]} {path} {problem} {response.content[:160]!r}")
    return report
