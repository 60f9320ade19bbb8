"""Occupation rows with their levels, and exact counts of 3- and 4-character name words (issue 8, figure 2).

Creates ``DirectorySearchOccupation`` and fills it, and the new count rows (field ``o``: one per
occupation key; field ``n``: every 3- and 4-character substring of the names), from the search
rows already there (current entries only). On an empty database the backfill reads nothing.
The index and the unique constraint are built after the rows are in (faster than row by row).
"""

from collections import defaultdict

import django.db.models.deletion
import django.db.models.functions
from django.db import migrations, models

# Frozen copies of models.search (a migration must not follow later edits).
LEVEL_BITS = {"初级": 1 << 5, "中级": 1 << 4, "高级": 1 << 3, "技师": 1 << 2, "高级技师": 1 << 1}


def counted_words(name):
    folded = name.lower()
    return {folded[i:i + n] for n in (3, 4) for i in range(len(folded) - n + 1)
            if not any(c.isspace() for c in folded[i:i + n])}


def occupation_key(name):
    return " ".join(name.lower().split())


def backfill(apps, schema_editor):
    db = schema_editor.connection.alias
    Row = apps.get_model("registry", "DirectorySearchRow")
    Scope = apps.get_model("registry", "DirectorySearchScope")
    Occupation = apps.get_model("registry", "DirectorySearchOccupation")
    GramCount = apps.get_model("registry", "DirectorySearchGramCount")
    counts = defaultdict(lambda: [0, 0])
    rows = {}
    for entry_id, name, active, region_code in (Row.objects.using(db).order_by()
                                                .values_list("entry_id", "name", "active", "region_code")
                                                .iterator(chunk_size=10000)):
        rows[entry_id] = (name, active, region_code)
        for word in counted_words(name):
            c = counts["n", word]
            c[0] += 1
            c[1] += active

    batch = []

    def flush_entry(entry_id, levels):
        name, active, region_code = rows[entry_id]
        for key, bits in sorted(levels.items()):
            if not key:
                continue
            batch.append(Occupation(entry_id=entry_id, key=key, levels=bits, active=active,
                                    region_code=region_code, name=name))
            c = counts["o", key]
            c[0] += 1
            c[1] += active

    current, levels = None, {}
    for entry_id, name, label in (Scope.objects.using(db).order_by("entry_id")
                                  .values_list("entry_id", "name", "level_label").iterator(chunk_size=10000)):
        if entry_id != current:
            if current is not None and current in rows:
                flush_entry(current, levels)
            current, levels = entry_id, {}
        key = occupation_key(name)
        levels[key] = levels.get(key, 0) | LEVEL_BITS.get(label, 0)
        if len(batch) >= 5000:
            Occupation.objects.using(db).bulk_create(batch)
            batch.clear()
    if current is not None and current in rows:
        flush_entry(current, levels)
    Occupation.objects.using(db).bulk_create(batch, batch_size=5000)
    # New keys only: the count rows already there are the 1-2 character grams.
    GramCount.objects.using(db).bulk_create(
        [GramCount(field=field, gram=gram, entries=n, active_entries=n_active)
         for (field, gram), (n, n_active) in sorted(counts.items())], batch_size=5000)


def unbackfill(apps, schema_editor):
    """Back to 0004: the count rows this migration added (the occupation rows go with their table)."""
    GramCount = apps.get_model("registry", "DirectorySearchGramCount")
    rows = GramCount.objects.using(schema_editor.connection.alias)
    rows.filter(field="o").delete()
    rows.annotate(chars=models.functions.Length("gram")).filter(chars__gt=2).delete()


def analyze(apps, schema_editor):
    """Fresh statistics: the planner chooses between a key's range and the general search from them."""
    q = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        for model in ("DirectorySearchOccupation", "DirectorySearchGramCount"):
            cursor.execute(f"ANALYZE {q(apps.get_model('registry', model)._meta.db_table)}")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_directory_gram_postings'),
    ]

    operations = [
        migrations.AlterField(
            model_name='directorysearchgramcount',
            name='field',
            field=models.CharField(
                choices=[('n', '名称'), ('s', '职业（工种）或项目'), ('o', '职业（工种）或项目全称')], max_length=1),
        ),
        migrations.AlterField(
            model_name='directorysearchgramcount',
            name='gram',
            field=models.CharField(max_length=100),
        ),
        migrations.CreateModel(
            name='DirectorySearchOccupation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name='ID')),
                ('key', models.CharField(max_length=100)),
                ('levels', models.IntegerField(default=0)),
                ('active', models.BooleanField(default=True)),
                ('region_code', models.CharField(default='', max_length=6)),
                ('name', models.CharField(default='', max_length=200)),
                ('entry', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='search_occupations', to='registry.directoryentry')),
            ],
            options={
                'verbose_name': '目录检索职业',
                'verbose_name_plural': '目录检索职业',
            },
        ),
        migrations.RunPython(backfill, unbackfill),
        migrations.AddConstraint(
            model_name='directorysearchoccupation',
            constraint=models.UniqueConstraint(fields=('entry', 'key'), name='dirsearch_occupation_once'),
        ),
        migrations.AddIndex(
            model_name='directorysearchoccupation',
            index=models.Index(fields=['key', 'active', 'region_code', 'name', 'entry', 'levels'],
                               name='dirsearch_occupation_order'),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
