"""Reads for the public directory: only published entries, only their public record.

Everything here reads ``DirectoryEntry.data`` (the version the public was shown), never the
live ``Institution`` row, so a search, a page and an export tell the same truth as the entry
(issue 4: "the directory always telling the truth of the day"). The page, the API and the
exports all filter through :func:`directory_search`, which filters on the search rows copied
from that same published record (models/search.py; issue 8: p99 under 20 ms at 100,000).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from pydantic import BaseModel, ConfigDict, Field, field_validator

from skillreg.accounts.models import Authority
from skillreg.core import clock
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import BodyKind, DirectoryEntry, Institution
from skillreg.registry.models.search import (
    NAME,
    SCOPE,
    DirectorySearchGram,
    DirectorySearchGramCount,
    DirectorySearchRow,
    DirectorySearchScope,
    query_grams,
)

PAGE_SIZE = 20
API_MAX_LIMIT = 100

# The statuses a published entry can carry; 已注册（未备案） never reaches the directory.
PUBLIC_STATUSES = [s for s in Institution.Status if s != Institution.Status.REGISTERED]
# Entries that left the active directory stay findable when asked for by their status
# (issue 4: a cancelled body "stays findable"); the default search shows the active ones.
_OFF_DIRECTORY_STATUSES = {Institution.Status.EXPIRED, Institution.Status.CANCELLED, Institution.Status.REVOKED}

_REGION = re.compile(r"^\d{2,6}$")


def _unset_if_blank(value: Any) -> Any:
    # An empty box in the search form means "any", not "an empty name".
    if isinstance(value, str):
        return value.strip() or None
    return value


class DirectoryQuery(BaseModel):
    """The directory's filters, validated once for the page, the API and the exports."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    q: str | None = Field(None, max_length=50, description="机构名称（中文子串，1 个字起）或机构代码")
    region: str | None = Field(None, description="所在地行政区划代码前缀（2、4 或 6 位），如 51、5119")
    kind: BodyKind | None = Field(None, description="单位类别")
    occupation: str | None = Field(None, max_length=50, description="职业（工种）或专项能力项目名称（子串）")
    level: int | None = Field(None, ge=1, le=5, description="等级：5 初级、4 中级、3 高级、2 技师、1 高级技师")
    status: Institution.Status | None = Field(
        None, description="公布的状态：filed、suspended、expired、cancelled、revoked")

    @field_validator("q", "occupation", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return _unset_if_blank(value)

    @field_validator("q", "occupation")
    @classmethod
    def _collapse_spaces(cls, value: str | None) -> str | None:
        return " ".join(value.split()) if value else value

    @field_validator("region", mode="before")
    @classmethod
    def _region_prefix(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and not _REGION.match(str(value).strip()):
            raise ValueError("地区应为 2 至 6 位行政区划代码（前缀），如 51 或 5119")
        return value

    @field_validator("level", mode="before")
    @classmethod
    def _level_1_to_5(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is None:
            return value
        try:
            level = int(str(value).strip())
        except ValueError:
            level = 0
        if level not in LEVELS:
            raise ValueError("等级应为 1（高级技师）至 5（初级）")
        return level

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and value not in BodyKind.values:
            raise ValueError("未知的单位类别")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _public_status(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and value not in PUBLIC_STATUSES:
            raise ValueError("状态应为 filed、suspended、expired、cancelled 或 revoked")
        return value

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (for pagination and export links)."""
        return {key: str(getattr(value, "value", value))
                for key, value in self.model_dump().items() if value is not None}


def current_entries() -> QuerySet[DirectoryEntry]:
    """The version each filed institution shows today (one per institution, by constraint)."""
    return DirectoryEntry.objects.filter(superseded_at__isnull=True)


def _is_short(word: str) -> bool:
    return len("".join(word.split())) <= 2


def _rarest_pairs(words: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For each (field, word) of 3+ characters, the pair of the word that the fewest entries carry.

    One query for all the words, on the per-gram counts (models/search.py). Any pair of the
    word would give the right answer after the substring confirmation (every match carries
    every pair); the rarest reads the fewest postings. A pair no entry carries (count 0) is
    chosen first, and the answer is then empty at once. Looked up before the search statement,
    not inside it, so that the database plans with the pair's own statistics: a common pair
    (职业技能) walks the (active, region, name) index and stops at the page.
    """
    pairs = {key: query_grams(key[1]) for key in words if not _is_short(key[1])}
    if not pairs:
        return {}
    wanted = Q()
    for (field, _), grams in pairs.items():
        wanted |= Q(field=field, gram__in=grams)
    counts = {(f, g): n for f, g, n in
              DirectorySearchGramCount.objects.filter(wanted).values_list("field", "gram", "entries")}
    return {key: min(grams, key=lambda g, f=key[0]: (counts.get((f, g), 0), g)) for key, grams in pairs.items()}


def _with_grams(field: str, word: str, rarest: dict[tuple[str, str], str], *, pk: str) -> Q:
    """Entries whose name (``n``) or scope name (``s``) may contain ``word``, from the gram postings.

    One or two characters: the word is itself a gram, and the answer is exact. Longer: the
    postings of its rarest pair; the caller confirms the whole word on those rows only.
    Intersecting every pair's postings cost more than the old JSON scan when each pair is
    common (职业技能: 215 ms against 133 ms, bench/README.md).
    """
    gram = rarest.get((field, word)) or "".join(word.lower().split())
    return Q(**{f"{pk}__in": DirectorySearchGram.objects.filter(field=field, gram=gram).values("entry_id")})


def _contains(prefix: str, word: str) -> Q:
    """The name holds ``word`` (any case): the confirmation after the pair postings.

    A LIKE on the stored lower-cased name (``name_folded``), not ILIKE on an expression: the
    database then estimates how many names match from the column's statistics, and plans a
    rare word (养老服务) from its postings and a common one (职业技能) along the ordered index.
    """
    return Q(**{f"{prefix}name_folded__contains": word.lower()})


def _could_be_code(word: str) -> bool:
    # Institution codes are ASCII letters, digits and hyphens: a word with a Chinese character
    # is matched against names only, so the common query is never an OR (which would scan).
    return word.isascii()


# The directory's order: region, name, then the entry (ties) — on the entries and on their search rows.
ENTRY_ORDER = ("search_row__region_code", "search_row__name", "pk")
ROW_ORDER = ("region_code", "name", "entry_id")
# Up to this many matches a page is taken by sorting the matches' narrow search rows (a few ms).
SORT_MATCHES_UNDER = 20_000


class DirectoryResults(QuerySet[DirectoryEntry]):
    """The entries a search found; ``count()`` counts their search rows alone.

    The search rows exist for current versions only (``directory.publish`` keeps it so), so
    the same filters on ``DirectorySearchRow`` count the same entries without reading the
    wide ``DirectoryEntry`` rows: the count of a common word was most of a request's time.
    A further ``filter()`` or ``none()`` falls back to the ordinary count.
    """

    _count_rows: QuerySet[DirectorySearchRow] | None = None
    # A search by one gram (the default status, nothing else but a region): its postings, which
    # carry the sort key, and where the count may be read from the per-gram active count.
    _postings: QuerySet[DirectorySearchGram] | None = None
    _counted: tuple[str, str] | None = None
    _total: int | None = None  # what count() answered, which decides how a page is fetched

    def _clone(self) -> DirectoryResults:
        clone = super()._clone()
        clone._count_rows = self._count_rows
        clone._postings = self._postings
        clone._counted = self._counted
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> DirectoryResults:
        clone = super()._filter_or_exclude(negate, args, kwargs)
        clone._count_rows = clone._postings = clone._counted = None
        return clone

    def _rows_stand_in(self) -> bool:
        q = self.query
        return not (self._count_rows is None or self._result_cache is not None or q.is_sliced or q.is_empty()
                    or q.distinct or q.combinator)

    def count(self) -> int:
        if self._rows_stand_in() and self._count_rows is not None:
            if self._counted is not None:
                field, gram = self._counted
                counted = (DirectorySearchGramCount.objects.filter(field=field, gram=gram)
                           .values_list("active_entries", flat=True).first())
                self._total = counted or 0
            elif self._postings is not None:
                self._total = self._postings.count()
            else:
                self._total = self._count_rows.count()
            return self._total
        return super().count()

    def __getitem__(self, k: Any) -> Any:
        """A page (``[a:b]``): its entry ids from the narrow search rows, then those entries.

        One statement: ``id IN (SELECT entry_id … ORDER BY region, name LIMIT …)``. The sort
        and the limit run on the search rows (an index walk for a common word), and only the
        page's wide entries are read, not every match's before the sort.
        """
        if not (isinstance(k, slice) and k.step is None and self._rows_stand_in() and self._count_rows is not None):
            return super().__getitem__(k)
        if self._postings is not None:
            # The first rows of the gram's index range, already in the directory's order.
            window = self._postings.order_by(*ROW_ORDER).values("entry_id")[k]
            return DirectoryEntry.objects.filter(pk__in=window).order_by(*ENTRY_ORDER)
        order: tuple[Any, ...] = ROW_ORDER
        if self._total is not None and self._total <= SORT_MATCHES_UNDER:
            # Few matches (known from the count, which every caller runs first): sort them, rather
            # than walk the (region, name) index, which a place name (成都 is mostly in 5101xx)
            # makes read most of the directory before it meets 20 of them. The same order; the
            # expression only keeps the planner from choosing the index walk.
            order = (Concat("region_code", Value("")), "name", "entry_id")
        window = self._count_rows.order_by(*order).values("entry_id")[k]
        return DirectoryEntry.objects.filter(pk__in=window).order_by(*ENTRY_ORDER)


def _search_filters(query: DirectoryQuery, rarest: dict[tuple[str, str], str], *, rows: bool) -> list[Any]:
    """The search's conditions, on ``DirectorySearchRow`` (rows) or on ``DirectoryEntry`` (through it)."""
    col = "" if rows else "search_row__"
    pk = "entry_id" if rows else "pk"
    conditions: list[Any] = []
    if query.status in _OFF_DIRECTORY_STATUSES:
        conditions.append(Q(**{f"{col}status": query.status.value}))
    else:
        conditions.append(Q(**{f"{col}active": True}))
        if query.status is not None:
            conditions.append(Q(**{f"{col}status": query.status.value}))
    # Every word must match; a word matches a substring of the name or the whole code.
    for word in query.q.split() if query.q else []:
        by_name = _with_grams(NAME, word, rarest, pk=pk)
        if not _is_short(word):
            by_name &= _contains(col, word)
        if _could_be_code(word):
            by_name |= Q(**{f"{col}code": word.upper()})
        conditions.append(by_name)
    if query.region:
        conditions.append(Q(**{f"{col}region_code__startswith": query.region}))
    if query.kind:
        conditions.append(Q(**{f"{col}body_kind": query.kind.value}))
    if query.occupation or query.level:
        # Name and level must hold for the same scope item ("电工 at 技师", not "电工 at some
        # level and something at 技师"): one EXISTS over the version's scope rows.
        items = DirectorySearchScope.objects.filter(entry=OuterRef(pk))
        if query.occupation:
            conditions.append(_with_grams(SCOPE, query.occupation, rarest, pk=pk))
            items = items.filter(name__icontains=query.occupation)
        if query.level:
            items = items.filter(level_label=LEVELS[query.level])
        if query.level or not _is_short(query.occupation or ""):
            # A 1-2 character occupation without a level is answered by its gram alone (a gram
            # of some scope name is a substring of that scope name); otherwise one scope row
            # must carry both the name and the level.
            conditions.append(Exists(items))
    return conditions


def directory_search(query: DirectoryQuery) -> DirectoryResults:
    """Current entries matching the filters, in a stable order (region, name, then id).

    Reads the search rows that ``directory.publish`` writes for each current version
    (models/search.py): the same published record as ``data``, in indexed columns. One query
    here when a word has 3+ characters (which of its pairs is rarest), then the count and
    the page.
    """
    words = query.q.split() if query.q else []
    rarest = _rarest_pairs([(NAME, w) for w in words] + ([(SCOPE, query.occupation)] if query.occupation else []))
    entries = (DirectoryResults(DirectoryEntry).filter(superseded_at__isnull=True)
               .filter(*_search_filters(query, rarest, rows=False))
               .order_by(*ENTRY_ORDER))
    entries._count_rows = DirectorySearchRow.objects.filter(*_search_filters(query, rarest, rows=True))
    one = _one_gram(query, rarest)
    if one is not None:
        field, gram, word = one
        postings = DirectorySearchGram.objects.filter(field=field, gram=gram, active=True)
        if word is not None:
            postings = postings.filter(name__contains=word)
        if query.region:
            postings = postings.filter(region_code__startswith=query.region)
        entries._postings = postings
        if word is None and not query.region:
            entries._counted = (field, gram)
    return entries


def _one_gram(query: DirectoryQuery, rarest: dict[tuple[str, str], str]) -> tuple[str, str, str | None] | None:
    """(field, gram, word to confirm or None) when the gram postings alone answer the search.

    The default status (active entries), one name word or one occupation without a level, at
    most a region besides: the postings carry active, region and name (models/search.py). A
    longer name word is confirmed on the posting's name when it has no upper or lower case
    (Chinese): ``LIKE`` is case-sensitive on PostgreSQL and not on SQLite, so a cased word
    keeps the search rows' lower-cased name. A word that could be a code (ASCII) keeps the
    general search, which also matches the code.
    """
    if query.status is not None or query.kind or query.level:
        return None
    words = query.q.split() if query.q else []
    if len(words) + (1 if query.occupation else 0) != 1:
        return None
    if query.occupation:
        if not _is_short(query.occupation):
            return None  # confirmed on the scope names, which the postings do not carry
        return SCOPE, "".join(query.occupation.lower().split()), None
    word = words[0]
    if _could_be_code(word):
        return None
    if _is_short(word):
        return NAME, word.lower(), None
    if word.lower() != word or word.upper() != word:
        return None
    return NAME, rarest[NAME, word], word


def _entries_for(code: str) -> QuerySet[DirectoryEntry]:
    return DirectoryEntry.objects.filter(institution__code=code)


def entry_current(code: str) -> DirectoryEntry:
    """The version shown today, active or not (a cancelled body stays findable); 404 if never published."""
    entry = _entries_for(code).filter(superseded_at__isnull=True).first()
    if entry is None:
        raise Http404("目录中没有该机构")
    return entry


def entry_history(code: str) -> list[DirectoryEntry]:
    """Every published version, newest first; 404 if the code was never published."""
    versions = list(_entries_for(code).order_by("-version"))
    if not versions:
        raise Http404("目录中没有该机构")
    return versions


def version_on(versions: list[DirectoryEntry], on: dt.date) -> DirectoryEntry | None:
    """The version the public saw on ``on``: the one current at the close of that day (China time).

    A version published and superseded on the same day counts for that day only if nothing
    replaced it before midnight, so the answer is what the directory showed when the day ended.
    """
    close = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=clock.LOCAL_TZ)
    for entry in versions:  # newest first
        if entry.published_at < close and (entry.superseded_at is None or entry.superseded_at >= close):
            return entry
    return None


def entry_on(code: str, on: dt.date) -> DirectoryEntry:
    entry = version_on(entry_history(code), on)
    if entry is None:
        raise Http404(f"该机构在 {on:%Y-%m-%d} 尚未公布")
    return entry


def region_options() -> list[tuple[str, str]]:
    """(prefix, label) for the provinces, cities and named counties present in the active directory.

    Two queries whatever the size: the distinct region codes, then the names the authorities give them.
    """
    codes = set(DirectorySearchRow.objects.filter(active=True).order_by()
                .values_list("region_code", flat=True).distinct())
    prefixes = {code[:n] for code in codes if code for n in (2, 4, 6)}
    names = dict(Authority.objects.filter(region_code__in={p.ljust(6, "0") for p in prefixes})
                 .values_list("region_code", "region_name"))
    options = []
    for prefix in sorted(prefixes):
        name = names.get(prefix.ljust(6, "0"))
        if len(prefix) == 6 and (name is None or prefix.endswith("00")):
            continue  # a county shows only when named, and "510100" is the city already listed
        indent = "\u3000" * (len(prefix) // 2 - 1)
        options.append((prefix, f"{indent}{name or prefix}"))
    return options


# --- presentation of one record, shared by the page, the API and the exports -----------------

PUBLIC_KEYS = ("name", "code", "region_code", "authority", "body_kind", "status", "valid_until",
               "scope", "address", "head", "contact")


def public_item(entry: DirectoryEntry) -> dict[str, Any]:
    """The entry's public record, limited to the keys the directory publishes, with labels.

    ``address``, ``head`` and ``contact`` are present only where the pack makes them public
    (``directory.public_record``); anything else a future record carries is not passed on
    until it is added here on purpose.
    """
    data = entry.data
    item = {key: data[key] for key in PUBLIC_KEYS if key in data}
    item["scope"] = [{"name": s.get("name", ""), "levels": list(s.get("levels", []))}
                     for s in data.get("scope", [])]
    item["suspended"] = [{"name": s.get("name", ""), "level": s.get("level"), "since": s.get("since"),
                          "source": s.get("source", "")} for s in data.get("suspended", [])]
    item["body_kind_label"] = _label(BodyKind, data.get("body_kind"))
    item["status_label"] = _label(Institution.Status, data.get("status"))
    item["active"] = entry.active
    item["version"] = entry.version
    item["published_at"] = entry.published_at
    return item


def scope_text(scope: list[dict[str, Any]]) -> str:
    """电工（初级、中级）；焊工（初级）: the occupations or projects with their levels."""
    parts = []
    for s in scope:
        levels = "、".join(s.get("levels") or [])
        parts.append(f"{s.get('name', '')}（{levels}）" if levels else s.get("name", ""))
    return "；".join(parts)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")
