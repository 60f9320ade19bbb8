# Issue 8, figure 3: a roster import writes up to 100,000 registrations in one statement, and
# every index of the table costs each row. Nothing reads registrations by who typed them or by
# import, so those two indexes go; both foreign-key constraints stay.
#
# Only the indexes are dropped (same names on PostgreSQL and SQLite): the AlterField Django would
# run drops and re-adds the foreign keys, which re-validates every row of the table under an
# exclusive lock.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = (
    ("exams_registration_entered_by_id_fa514868", "entered_by_id"),
    ("exams_registration_roster_import_id_53304f62", "roster_import_id"),
)


class Migration(migrations.Migration):

    dependencies = [
        ('exams', '0002_assessor_identity_and_roster_withdrawal'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {name}",
                                  reverse_sql=f"CREATE INDEX {name} ON exams_registration ({column})")
                for name, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='registration',
                    name='entered_by',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='registration',
                    name='roster_import',
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name='registrations', to='exams.rosterimport'),
                ),
            ],
        ),
    ]
