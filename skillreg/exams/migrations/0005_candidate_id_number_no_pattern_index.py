# Issue 8, figure 3: on PostgreSQL Django gives every unique CharField a second index with
# varchar_pattern_ops, for LIKE 'prefix%' lookups. Nothing looks a candidate up by part of an ID
# number (an ID number is compared whole, and shown masked), and that index was a fifth of a
# 100,000-row roster commit (bench/README.md). The UNIQUE constraint, and its index, stay.
# Other databases create no such index.

from django.db import migrations


def _like_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    candidate = apps.get_model("exams", "Candidate")
    column = candidate._meta.get_field("id_number").column
    return candidate._meta.db_table, column, schema_editor._create_index_name(
        candidate._meta.db_table, [column], suffix="_like")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        _, _, name = _like_index(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        table, column, name = _like_index(apps, schema_editor)
        q = schema_editor.quote_name
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(table)} ({q(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0004_registration_entered_by_empty_for_imports"),
    ]

    operations = [
        migrations.RunPython(drop, restore),
    ]
