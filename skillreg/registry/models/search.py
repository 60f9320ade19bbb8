"""The directory's search structure: indexed copies of each *current* entry's public record.

``DirectoryEntry.data`` (JSON) stays the record of what was published; searching it meant
reading every current entry's JSON on every query. These tables copy, for the current
version of each entry only, what the search filters and sorts on (issue 8, figure 2):

- ``DirectorySearchRow``: name, code, region, kind, status, active — the columns filtered
  and the sort key (region, name), indexed in that order;
- ``DirectorySearchScope``: the published scope, one row per (occupation or project, level),
  so that "电工 at 技师" is a join, not a JSON walk;
- ``DirectorySearchGram``: every single character and every pair of adjacent characters of
  the name (field ``n``) and of each scope name (field ``s``), lower-cased. A one- or
  two-character query (电, 电工, 焊工 — the common case, which trigram indexes cannot serve)
  is one exact lookup in the unique index (field, gram, entry); a longer one reads the postings
  of its *rarest* pair only and is confirmed with a substring match on the rows they give.
  Each posting also carries the entry's ``active``, region and name, so a search by one gram
  reads its page straight from the index in the directory's order;
- ``DirectorySearchGramCount``: how many current entries carry each gram (the document
  frequency), so a longer word starts from its rarest pair, and how many of them are active
  (the exact total of the default search for one gram). Reading every pair's postings
  and intersecting them cost more than the old JSON scan when each pair is common
  (职业技能: 215 ms against 133 ms at 10,000 entries, bench/README.md); one pair's postings
  never read more rows than the scan did, and usually far fewer.

- ``DirectorySearchOccupation``: one row per occupation or project name of a current entry's
  scope (its whole name, lower-cased: the key), with the levels published for it as a bit set
  and the same copies as the postings (active, region, name) in an index in directory order.
  An occupation query resolves to the names that contain it among the distinct keys (their
  count rows, ``field = "o"``: the catalogue, a few hundred names), and "电工 at 技师" or
  中式烹调师 is then one key's range, or (several keys) the scope gram's postings walked in order
  and checked against the entry's occupation rows, instead of an EXISTS over
  ``DirectorySearchScope`` for every entry holding the gram (65-90 ms at 100,000).
  ``DirectorySearchGramCount`` also counts, per key, the entries carrying it, and per 3- and
  4-character substring of the names, the entries whose name holds it: the exact total of a
  common word such as 职业技能 in one row, not a count of the 91,000 names holding its pairs.

``registry.directory.publish`` writes the rows of the new version and deletes those of the
version it supersedes, in the same transaction; the rows are derived data and can be rebuilt
from the current entries at any time (``index_entry``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connections, models, router

from skillreg.registry.application_form import LEVELS

NAME, SCOPE, OCCUPATION = "n", "s", "o"
# Name words with their own exact count row: substrings of this many characters.
COUNTED_WORD_LENGTHS = (3, 4)
# Level label -> its bit in DirectorySearchOccupation.levels (1 << the level's number, 1-5).
LEVEL_BITS = {label: 1 << level for level, label in LEVELS.items()}


def grams(text: str) -> set[str]:
    """Every character and every pair of adjacent characters, lower-cased, spaces dropped."""
    chars = "".join(text.lower().split())
    return set(chars) | {chars[i:i + 2] for i in range(len(chars) - 1)}


def counted_words(name: str) -> set[str]:
    """The 3- and 4-character substrings of ``name``, lower-cased, that hold no space.

    Each has an exact count row (how many current entries' names hold it), so the total of a
    3- or 4-character word is one row, whatever the number of names holding its pairs. Taken
    from the name as stored (spaces kept), like the LIKE that confirms a longer word.
    """
    folded = name.lower()
    return {folded[i:i + n] for n in COUNTED_WORD_LENGTHS for i in range(len(folded) - n + 1)
            if not any(c.isspace() for c in folded[i:i + n])}


def occupation_key(name: str) -> str:
    """An occupation or project name as a key: lower-cased, spaces collapsed (as the query is)."""
    return " ".join(name.lower().split())


def query_grams(word: str) -> list[str]:
    """What a query word is looked up by: itself (1-2 characters) or its distinct pairs."""
    chars = "".join(word.lower().split())
    if len(chars) <= 2:
        return [chars] if chars else []
    return sorted({chars[i:i + 2] for i in range(len(chars) - 1)})


class DirectorySearchRow(models.Model):
    """The filter and sort columns of one current entry, copied from its published record."""

    entry = models.OneToOneField("registry.DirectoryEntry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="search_row")
    name = models.CharField(max_length=200)
    # Lower-cased: a word of 3+ characters is confirmed with a plain LIKE on this column, which
    # the database estimates from the column's statistics (an expression such as UPPER(name)
    # has none, and a bad estimate made a rare word scan every row, a common one sort them all).
    name_folded = models.CharField(max_length=200, default="")
    # Upper-cased: the search's "whole code, any case" is an equality on this column.
    code = models.CharField(max_length=40, blank=True, db_index=True)
    region_code = models.CharField(max_length=6)
    body_kind = models.CharField(max_length=30)
    status = models.CharField(max_length=20)
    active = models.BooleanField()

    class Meta:
        verbose_name = verbose_name_plural = "目录检索行"
        indexes = [
            # The directory's default listing and its order: active entries by region, then name.
            models.Index(fields=["active", "region_code", "name", "entry"], name="dirsearch_active_order"),
            # Entries asked for by status (a cancelled body stays findable), same order.
            models.Index(fields=["status", "region_code", "name", "entry"], name="dirsearch_status_order"),
        ]

    def __str__(self) -> str:
        return self.name


class DirectorySearchScope(models.Model):
    """One (occupation or project, level) of a current entry's published scope; level None: no levels."""

    entry = models.ForeignKey("registry.DirectoryEntry", on_delete=models.CASCADE, related_name="search_scope")
    name = models.CharField(max_length=100)
    level_label = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "目录检索范围"
        indexes = [models.Index(fields=["entry", "level_label"], name="dirsearch_scope_entry")]

    def __str__(self) -> str:
        return f"{self.name} {self.level_label}".strip()


class DirectorySearchGram(models.Model):
    """One character or character pair of a current entry's name (``n``) or scope names (``s``).

    Each posting carries what the default public search filters and sorts on — the entry's
    ``active`` flag, its region and its name — so that a one-gram search (电, 电工, 焊工; the
    common case) is one range of the (field, gram, active, region, name, entry) index: the page
    is its first rows in the directory's order, with no join and no sort, whatever the number of
    matches (a join with the search rows read and sorted every match: 14-43 ms at 100,000).
    """

    FIELDS = [(NAME, "名称"), (SCOPE, "职业（工种）或项目")]

    entry = models.ForeignKey("registry.DirectoryEntry", on_delete=models.CASCADE, related_name="search_grams")
    field = models.CharField(max_length=1, choices=FIELDS)
    gram = models.CharField(max_length=2)
    # Copies of the entry's search row (the same published record), fixed for the version's life.
    active = models.BooleanField(default=True)
    region_code = models.CharField(max_length=6, default="")
    name = models.CharField(max_length=200, default="")

    class Meta:
        verbose_name = verbose_name_plural = "目录检索字组"
        constraints = [
            # The general search: WHERE field = %s AND gram = %s, entries in order; one row per gram and entry.
            # Kept narrow: the postings joined with other filters read it (the wide index below made
            # those searches 2-3x slower at 100,000).
            models.UniqueConstraint(fields=["field", "gram", "entry"], name="dirsearch_gram_once"),
        ]
        indexes = [
            # A search by one gram: WHERE field = %s AND gram = %s AND active ORDER BY region, name, entry.
            models.Index(fields=["field", "gram", "active", "region_code", "name", "entry"],
                         name="dirsearch_gram_order"),
        ]

    def __str__(self) -> str:
        return f"{self.field}:{self.gram}"


class DirectorySearchOccupation(models.Model):
    """One occupation or project name of a current entry's scope, with the levels published for it.

    ``key``: the name lower-cased (``occupation_key``); ``levels``: a bit per level label
    (``LEVEL_BITS``), 0 for an item published without levels. Carries the entry's ``active``,
    region and name like the gram postings, so one key (中式烹调师, at a level or not) is one range
    of the (key, active, region, name, entry, levels) index in the directory's order; ``levels``
    last, so the level test reads the index alone.
    """

    # No index of its own: the unique (entry, key) constraint starts with it.
    entry = models.ForeignKey("registry.DirectoryEntry", on_delete=models.CASCADE, db_index=False,
                              related_name="search_occupations")
    key = models.CharField(max_length=100)
    levels = models.IntegerField(default=0)
    active = models.BooleanField(default=True)
    region_code = models.CharField(max_length=6, default="")
    name = models.CharField(max_length=200, default="")

    class Meta:
        verbose_name = verbose_name_plural = "目录检索职业"
        constraints = [models.UniqueConstraint(fields=["entry", "key"], name="dirsearch_occupation_once")]
        indexes = [
            # WHERE key = %s AND active [AND levels & bit] ORDER BY region, name, entry; WHERE key IN (...).
            models.Index(fields=["key", "active", "region_code", "name", "entry", "levels"],
                         name="dirsearch_occupation_order"),
        ]

    def __str__(self) -> str:
        return self.key


class DirectorySearchGramCount(models.Model):
    """How many current entries carry ``gram`` in ``field`` (kept by index_entries / unindex_entry).

    ``active_entries``: how many of them are active — the exact total of the default public
    search for that gram alone, read in one row (counting 91,000 postings of 技 took 15 ms).
    Besides the grams (1-2 characters) of the postings: in ``n``, every 3- and 4-character
    substring of the names (``counted_words``; no postings), and in ``o``, every occupation key
    (``DirectorySearchOccupation``) — the list an occupation query is matched against.
    """

    FIELDS = [*DirectorySearchGram.FIELDS, (OCCUPATION, "职业（工种）或项目全称")]

    field = models.CharField(max_length=1, choices=FIELDS)
    gram = models.CharField(max_length=100)
    entries = models.IntegerField(default=0)
    active_entries = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "目录检索字组频次"
        constraints = [models.UniqueConstraint(fields=["field", "gram"], name="dirsearch_gram_count_once")]

    def __str__(self) -> str:
        return f"{self.field}:{self.gram}={self.entries}"


def _count_grams(changes: dict[tuple[str, str], tuple[int, int]]) -> None:
    """Add ``changes`` (entries, active entries) to the per-gram counts, creating missing rows (one statement).

    Sorted, so two publishes touching the same grams lock their rows in the same order.
    """
    rows = [(field, gram, n, n_active) for (field, gram), (n, n_active) in sorted(changes.items()) if n or n_active]
    if not rows:
        return
    connection = connections[router.db_for_write(DirectorySearchGramCount)]
    table = connection.ops.quote_name(DirectorySearchGramCount._meta.db_table)
    # Table name from the model's meta, values as parameters. ON CONFLICT: PostgreSQL and SQLite >= 3.24.
    sql = (f"INSERT INTO {table} (field, gram, entries, active_entries) VALUES (%s, %s, %s, %s) "  # noqa: S608
           f"ON CONFLICT (field, gram) DO UPDATE SET entries = {table}.entries + excluded.entries, "
           f"active_entries = {table}.active_entries + excluded.active_entries")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _add(counts: dict[tuple[str, str], tuple[int, int]], key: tuple[str, str], active: bool, sign: int) -> None:
    n, n_active = counts.get(key, (0, 0))
    counts[key] = (n + sign, n_active + (sign if active else 0))


class EntryRows(NamedTuple):
    """The rows that index one entry, and the count keys it adds (field, gram or word or key)."""

    row: DirectorySearchRow
    scope: list[DirectorySearchScope]
    grams: list[DirectorySearchGram]
    occupations: list[DirectorySearchOccupation]
    counted: list[tuple[str, str]]


def search_rows_for(entry: Any) -> EntryRows:
    """The rows that index ``entry`` (a DirectoryEntry), built from its published ``data`` only."""
    data = entry.data
    name = data.get("name") or ""
    row = DirectorySearchRow(
        entry=entry, name=name, name_folded=name.lower(), code=(data.get("code") or "").upper(),
        region_code=data.get("region_code") or "", body_kind=data.get("body_kind") or "",
        status=data.get("status") or "", active=entry.active)
    scope = []
    scope_grams: set[str] = set()
    levels: dict[str, int] = {}
    for item in data.get("scope") or []:
        name = item.get("name") or ""
        scope_grams |= grams(name)
        key = occupation_key(name)
        levels.setdefault(key, 0)
        for label in item.get("levels") or [""]:
            scope.append(DirectorySearchScope(entry=entry, name=name, level_label=label))
            levels[key] |= LEVEL_BITS.get(label, 0)
    posting = {"entry": entry, "active": row.active, "region_code": row.region_code, "name": row.name}
    gram_rows = [DirectorySearchGram(field=NAME, gram=g, **posting) for g in sorted(grams(row.name))]
    gram_rows += [DirectorySearchGram(field=SCOPE, gram=g, **posting) for g in sorted(scope_grams)]
    occupations = [DirectorySearchOccupation(key=key, levels=bits, **posting)
                   for key, bits in sorted(levels.items()) if key]
    counted = [(g.field, g.gram) for g in gram_rows] + [(OCCUPATION, o.key) for o in occupations]
    counted += [(NAME, w) for w in sorted(counted_words(row.name))]
    return EntryRows(row, scope, gram_rows, occupations, counted)


def index_entries(entries: Iterable[Any], *, batch_size: int = 2000, replacing: int | None = None) -> int:
    """Write the search rows of ``entries`` (current versions); returns how many were indexed.

    ``replacing``: the id of the version they supersede, whose rows go in the same step. Its
    counts and the new ones change in one sorted statement: two publishes at once then lock
    the count rows they share in the same order (two statements could deadlock).
    """
    rows: list[DirectorySearchRow] = []
    scopes: list[DirectorySearchScope] = []
    gram_rows: list[DirectorySearchGram] = []
    occupations: list[DirectorySearchOccupation] = []
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    if replacing is not None:
        gone, active = _remove_rows(replacing)
        for key in gone:
            _add(counts, key, active, -1)
    for entry in entries:
        indexed = search_rows_for(entry)
        rows.append(indexed.row)
        scopes += indexed.scope
        gram_rows += indexed.grams
        occupations += indexed.occupations
        for key in indexed.counted:
            _add(counts, key, indexed.row.active, +1)
    DirectorySearchRow.objects.bulk_create(rows, batch_size=batch_size)
    DirectorySearchScope.objects.bulk_create(scopes, batch_size=batch_size)
    DirectorySearchGram.objects.bulk_create(gram_rows, batch_size=batch_size)
    DirectorySearchOccupation.objects.bulk_create(occupations, batch_size=batch_size)
    _count_grams(counts)
    return len(rows)


def _remove_rows(entry_id: int) -> tuple[list[tuple[str, str]], bool]:
    """Delete an entry's search rows; the count keys they held, and whether the entry was active."""
    row = DirectorySearchRow.objects.filter(entry_id=entry_id).values_list("name", "active").first()
    if row is None:
        return [], False
    name, active = row
    gone = list(DirectorySearchGram.objects.filter(entry_id=entry_id).values_list("field", "gram"))
    gone += [(OCCUPATION, key) for key in
             DirectorySearchOccupation.objects.filter(entry_id=entry_id).values_list("key", flat=True)]
    gone += [(NAME, w) for w in counted_words(name)]
    DirectorySearchGram.objects.filter(entry_id=entry_id).delete()
    DirectorySearchOccupation.objects.filter(entry_id=entry_id).delete()
    DirectorySearchScope.objects.filter(entry_id=entry_id).delete()
    DirectorySearchRow.objects.filter(entry_id=entry_id).delete()
    return gone, active


def unindex_entry(entry_id: int) -> None:
    """Remove a superseded version's search rows (its JSON record stays, in the history)."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    gone, active = _remove_rows(entry_id)
    for key in gone:
        _add(counts, key, active, -1)
    _count_grams(counts)
