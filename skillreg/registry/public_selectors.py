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
from typing import Any, NamedTuple

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from pydantic import BaseModel, ConfigDict, Field, field_validator

from skillreg.accounts.models import Authority
from skillreg.core import clock
from skillreg.core.errors import CONTROL_CHARS, CONTROL_CHARS_MESSAGE
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import BodyKind, DirectoryEntry, Institution
from skillreg.registry.models.search import (
    COUNTED_WORD_LENGTHS,
    NAME,
    OCCUPATION,
    SCOPE,
    DirectorySearchGram,
    DirectorySearchGramCount,
    DirectorySearchOccupation,
    DirectorySearchRow,
    DirectorySearchScope,
    occupation_key,
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
        if value and CONTROL_CHARS.search(value):
            raise ValueError(CONTROL_CHARS_MESSAGE)
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


class _Lookups(NamedTuple):
    """What the search looks up before its statement (one query): see ``_lookups``."""

    rarest: dict[tuple[str, str], str]
    # The occupation keys holding the occupation query: a list (looked up), a subquery (a 1-2
    # character occupation at a level: the search keeps its two queries), None (the grams answer).
    keys: list[str] | QuerySet[Any] | None
    # Several Chinese name words: how many entries carry each word's gram (a 1-2 character word)
    # or its rarest pair, so that the rarest word's postings drive the search (_one_range).
    sizes: dict[str, int]


def _by_occupation_key(query: DirectoryQuery) -> bool:
    """An occupation of 3+ characters, or one at a level, is matched on the whole names (keys)."""
    return bool(query.occupation) and (query.level is not None or not _is_short(query.occupation or ""))


def _lookups(query: DirectoryQuery) -> _Lookups:
    """For each name word of 3+ characters, its rarest pair; for the occupation, the keys holding it.

    One query for all of it, on the per-gram counts (models/search.py). Any pair of the word
    would give the right answer after the substring confirmation (every match carries every
    pair); the rarest reads the fewest postings. A pair no entry carries (count 0) is chosen
    first, and the answer is then empty at once. Looked up before the search statement, not
    inside it, so that the database plans with the pair's own statistics: a common pair
    (职业技能) walks the (active, region, name) index and stops at the page.

    An occupation of 3+ characters or at a level is matched against the distinct occupation
    keys (the catalogue's names the directory holds: a few hundred count rows), so that the
    search reads the entries holding those names, at that level, from
    ``DirectorySearchOccupation``: "电工 at 技师" was an EXISTS over the scope rows of every
    entry holding 电工 (65-90 ms at 100,000, bench/README.md).
    """
    words = [(NAME, w) for w in (query.q.split() if query.q else [])]
    by_key = _by_occupation_key(query)
    if by_key and not _is_short(query.occupation or ""):
        words.append((SCOPE, query.occupation or ""))  # its rarest pair, when several keys hold it
    pairs = {key: query_grams(key[1]) for key in words if not _is_short(key[1])}
    several = _several_words(query)
    shorts = [w.lower() for f, w in words if f == NAME and _is_short(w)] if several else []
    holding = Q(field=OCCUPATION, gram__contains=occupation_key(query.occupation or ""), entries__gt=0)
    if by_key and _is_short(query.occupation or "") and not pairs:
        # 电工 at 技师: the keys as a subquery, not looked up first (the count and the page stay
        # the only queries, as for every 1-2 character search); several keys hold 电工 anyway
        # (电工, 维修电工, …), and the page walks the gram 电工's postings (_one_range).
        return _Lookups({}, DirectorySearchGramCount.objects.filter(holding).values("gram"), {})
    if not pairs and not by_key and not shorts:
        return _Lookups({}, None, {})
    wanted = Q()
    for (field, _), grams in pairs.items():
        wanted |= Q(field=field, gram__in=grams)
    if shorts:
        wanted |= Q(field=NAME, gram__in=shorts)
    if by_key:
        wanted |= holding
    counts: dict[tuple[str, str], int] = {}
    keys: list[str] = []
    for f, g, n in DirectorySearchGramCount.objects.filter(wanted).values_list("field", "gram", "entries"):
        if f == OCCUPATION:
            keys.append(g)
        else:
            counts[f, g] = n
    rarest = {key: min(grams, key=lambda g, f=key[0]: (counts.get((f, g), 0), g)) for key, grams in pairs.items()}
    sizes = ({w: counts.get((NAME, rarest.get((NAME, w)) or w.lower()), 0) for f, w in words if f == NAME}
             if several else {})
    return _Lookups(rarest, sorted(keys) if by_key else None, sizes)


def _several_words(query: DirectoryQuery) -> bool:
    """Two or more Chinese name words and nothing else but a region: the rarest word drives (_one_range)."""
    words = query.q.split() if query.q else []
    return (len(words) >= 2 and not (query.occupation or query.level or query.status or query.kind)
            and all(not _could_be_code(w) and w.lower() == w == w.upper() for w in words))


def _at_level(rows: QuerySet[DirectorySearchOccupation], level: int) -> QuerySet[DirectorySearchOccupation]:
    """The occupation rows published at ``level`` (its bit in ``levels``, models/search.py)."""
    return rows.alias(at_level=F("levels").bitand(1 << level)).filter(at_level__gt=0)


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


# "active IN (true)", not Django's bare "active" for active=True: SQLite uses a bare boolean
# column as a filter only, so the (…, active, region, name, entry) indexes were ranges on their
# first columns and every match was sorted (one IN value is an equality to SQLite and PostgreSQL).
ACTIVE = [True]
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
    _postings: QuerySet[Any] | None = None
    _counted: tuple[str, str] | None = None
    # Occupation rows of several keys (电工 at 技师: 电工, 维修电工, …): counted by distinct entry
    # (an entry may hold two of the keys), index-only; the page walks ``_postings``.
    _held: QuerySet[Any] | None = None
    _total: int | None = None  # what count() answered, which decides how a page is fetched

    def _clone(self) -> DirectoryResults:
        clone = super()._clone()
        clone._count_rows = self._count_rows
        clone._postings = self._postings
        clone._counted = self._counted
        clone._held = self._held
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> DirectoryResults:
        clone = super()._filter_or_exclude(negate, args, kwargs)
        clone._count_rows = clone._postings = clone._counted = clone._held = None
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
            elif self._held is not None:
                self._total = self._held.values("entry_id").distinct().count()
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
            first = self._postings.order_by(*ROW_ORDER).values("entry_id")[k]
            return DirectoryEntry.objects.filter(pk__in=first).order_by(*ENTRY_ORDER)
        order: tuple[Any, ...] = ROW_ORDER
        if self._total is not None and self._total <= SORT_MATCHES_UNDER:
            # Few matches (known from the count, which every caller runs first): sort them, rather
            # than walk the (region, name) index, which a place name (成都 is mostly in 5101xx)
            # makes read most of the directory before it meets 20 of them. The same order; the
            # expression only keeps the planner from choosing the index walk.
            order = (Concat("region_code", Value("")), "name", "entry_id")
        window = self._count_rows.order_by(*order).values("entry_id")[k]
        return DirectoryEntry.objects.filter(pk__in=window).order_by(*ENTRY_ORDER)


def _search_filters(query: DirectoryQuery, lookups: _Lookups, *, rows: bool) -> list[Any]:
    """The search's conditions, on ``DirectorySearchRow`` (rows) or on ``DirectoryEntry`` (through it)."""
    rarest = lookups.rarest
    col = "" if rows else "search_row__"
    pk = "entry_id" if rows else "pk"
    conditions: list[Any] = []
    if query.status in _OFF_DIRECTORY_STATUSES:
        conditions.append(Q(**{f"{col}status": query.status.value}))
    else:
        conditions.append(Q(**{f"{col}active__in": ACTIVE}))
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
    if lookups.keys is not None:
        # Name and level must hold for the same scope item ("电工 at 技师", not "电工 at some
        # level and something at 技师"): one occupation row carries a name and its levels.
        held = DirectorySearchOccupation.objects.filter(key__in=lookups.keys)
        if query.level:
            held = _at_level(held, query.level)
        conditions.append(Q(**{f"{pk}__in": held.values("entry_id")}))
    elif query.occupation:
        # A 1-2 character occupation without a level is answered by its gram alone (a gram of
        # some scope name is a substring of that scope name).
        conditions.append(_with_grams(SCOPE, query.occupation, rarest, pk=pk))
    elif query.level:
        conditions.append(Exists(DirectorySearchScope.objects.filter(entry=OuterRef(pk),
                                                                     level_label=LEVELS[query.level])))
    return conditions


def directory_search(query: DirectoryQuery) -> DirectoryResults:
    """Current entries matching the filters, in a stable order (region, name, then id).

    Reads the search rows that ``directory.publish`` writes for each current version
    (models/search.py): the same published record as ``data``, in indexed columns. One query
    here when a word has 3+ characters or the occupation is matched on its keys (``_lookups``),
    then the count and the page.
    """
    lookups = _lookups(query)
    entries = (DirectoryResults(DirectoryEntry).filter(superseded_at__isnull=True)
               .filter(*_search_filters(query, lookups, rows=False))
               .order_by(*ENTRY_ORDER))
    entries._count_rows = DirectorySearchRow.objects.filter(*_search_filters(query, lookups, rows=True))
    single_key = isinstance(lookups.keys, list) and len(lookups.keys) == 1
    if lookups.keys is not None and not (query.status or query.kind or query.q or single_key):
        # Several keys: counted on their occupation rows alone, by distinct entry (active, region
        # and levels are in their index). One key's rows are its range (_one_range), counted as such.
        held = DirectorySearchOccupation.objects.filter(key__in=lookups.keys, active__in=ACTIVE)
        if query.level:
            held = _at_level(held, query.level)
        if query.region:
            held = held.filter(region_code__startswith=query.region)
        entries._held = held
    one = _one_range(query, lookups)
    if one is not None:
        postings, counted = one
        if query.region:
            postings = postings.filter(region_code__startswith=query.region)
            counted = None
        entries._postings = postings
        entries._counted = counted
    return entries


def _one_range(query: DirectoryQuery, lookups: _Lookups) -> tuple[QuerySet[Any], tuple[str, str] | None] | None:
    """(postings, count row or None) when one index range in directory order answers the search.

    The default status (active entries), one name word or one occupation, at most a region
    besides; the postings carry active, region and name (models/search.py):

    - a 1-2 character word or occupation (no level): its gram's postings, counted by its count row;
    - a longer name word with no upper or lower case (Chinese): its rarest pair's postings
      confirmed on the posting's name (``LIKE`` is case-sensitive on PostgreSQL and not on
      SQLite, so a cased word keeps the search rows' lower-cased name); a 3- or 4-character
      word is counted by its own count row (``counted_words``), a longer one by the postings;
      a word that could be a code (ASCII) keeps the general search, which also matches the code;
    - an occupation matched on its keys when exactly one key holds it (中式烹调师; 养老护理 at 中级):
      that key's occupation rows, at the level if any (the level test reads the index);
      several keys (电工 at 技师: 电工, 维修电工, …): the scope gram's postings, each kept when
      the entry's occupation rows hold the name at the level (counted by ``_held``);
    - two or more Chinese name words: the rarest word's postings, checked for the others.
    """
    if query.status is not None or query.kind:
        return None
    words = query.q.split() if query.q else []
    if _several_words(query):
        # 成都 鉴定: the postings of the word fewest entries carry, in directory order, each kept
        # when the posting's name holds every other word of 3+ characters and the entry carries
        # every other 1-2 character word's gram. The page walks the postings and stops at 20
        # (0.6 ms at 100,000; joining both words' postings and sorting the matches: 28 ms); the
        # count still joins them (PostgreSQL hashes the commoner word's postings: 12-20 ms for
        # 成都 鉴定, faster than probing each of 成都's 5,100 postings).
        driver = min(words, key=lambda w: (lookups.sizes.get(w, 0), w))
        gram = driver.lower() if _is_short(driver) else lookups.rarest[NAME, driver]
        postings = DirectorySearchGram.objects.filter(field=NAME, gram=gram, active__in=ACTIVE)
        for word in words:
            if not _is_short(word):
                postings = postings.filter(name__contains=word)
            elif word != driver:
                postings = postings.filter(Exists(DirectorySearchGram.objects.filter(
                    entry_id=OuterRef("entry_id"), field=NAME, gram=word.lower())))
        return postings, None
    if len(words) + (1 if query.occupation else 0) != 1:
        return None
    if lookups.keys is not None:
        occupation = query.occupation or ""
        if isinstance(lookups.keys, list) and len(lookups.keys) == 1:
            key = lookups.keys[0]
            held = DirectorySearchOccupation.objects.filter(key=key, active__in=ACTIVE)
            if query.level:
                return _at_level(held, query.level), None
            return held, (OCCUPATION, key)
        if isinstance(lookups.keys, list) and not lookups.keys:
            return None  # no name holds it: the general search answers with no query
        # Several keys hold it (电工 at 技师: 电工, 维修电工, …). The scope gram's postings (the
        # occupation itself, or its rarest pair) hold every match, in directory order: walk them
        # and keep an entry when one of its occupation rows holds the name at the level. Sorting
        # the matches instead (2,700 at 100,000) cost 20+ ms of string comparisons; at any level
        # most of an occupation's entries match, so the walk meets the page within a few times
        # its length. The total is the distinct entries of the keys' rows (DirectoryResults._held).
        gram = "".join(occupation.lower().split()) if _is_short(occupation) else lookups.rarest[SCOPE, occupation]
        probe = DirectorySearchOccupation.objects.filter(entry_id=OuterRef("entry_id"),
                                                         key__contains=occupation_key(occupation))
        if query.level:
            probe = _at_level(probe, query.level)
        return DirectorySearchGram.objects.filter(field=SCOPE, gram=gram, active__in=ACTIVE).filter(Exists(probe)), None
    if query.level:
        return None
    if query.occupation:
        gram = "".join(query.occupation.lower().split())
        return DirectorySearchGram.objects.filter(field=SCOPE, gram=gram, active__in=ACTIVE), (SCOPE, gram)
    word = words[0]
    if _could_be_code(word):
        return None
    if _is_short(word):
        gram = word.lower()
        return DirectorySearchGram.objects.filter(field=NAME, gram=gram, active__in=ACTIVE), (NAME, gram)
    if word.lower() != word or word.upper() != word:
        return None
    postings = DirectorySearchGram.objects.filter(field=NAME, gram=lookups.rarest[NAME, word], active__in=ACTIVE,
                                                  name__contains=word)
    return postings, (NAME, word) if len(word) in COUNTED_WORD_LENGTHS else None


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
