# Issue 8, figure 3: a candidate's ID number is unique through a named constraint instead of
# unique=True. On PostgreSQL, Django gives every unique CharField a second index with
# varchar_pattern_ops for LIKE 'prefix%' lookups; nothing looks a candidate up by part of an ID
# number (a number is compared whole, and shown masked), and that index was a fifth of a
# 100,000-row roster commit (bench/README.md). The constraint is the one unique=True made
# (PostgreSQL named it exams_candidate_id_number_key), so only the model state changes and the
# pattern index is dropped; SQLite has no such index and its table is left as it is.

from django.db import migrations, models

# The name Django gave the pattern index (migration 0001): its hash of the table and column.
PATTERN_INDEX = "exams_candidate_id_number_6008dc91_like"


def drop_pattern_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PATTERN_INDEX}")


def restore_pattern_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX} ON exams_candidate (id_number varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0004_registration_entered_by_empty_for_imports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="candidate",
                    name="id_number",
                    field=models.CharField(max_length=18, verbose_name="身份证号码"),
                ),
                migrations.AddConstraint(
                    model_name="candidate",
                    constraint=models.UniqueConstraint(fields=("id_number",), name="exams_candidate_id_number_key",
                                                       violation_error_message="该身份证号码的考生已存在"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_pattern_index, restore_pattern_index)],
        ),
    ]
