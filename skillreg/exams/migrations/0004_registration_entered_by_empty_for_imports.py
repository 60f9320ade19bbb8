# Issue 8, figure 3: a roster import's rows leave ``entered_by`` empty (the import records who
# uploaded and accepted it), so PostgreSQL checks one foreign key fewer per row at COMMIT.
#
# On PostgreSQL only NOT NULL is dropped: the AlterField Django would run drops and re-adds the
# foreign key, which re-validates every row of the table under an exclusive lock. SQLite rebuilds
# the table whatever is changed, so Django's own operation runs there.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class AlterNullOnly(migrations.AlterField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("ALTER TABLE exams_registration ALTER COLUMN entered_by_id DROP NOT NULL")
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        # Rows imported since have no clerk: the import's uploader typed them, as before 0004.
        schema_editor.execute(
            "UPDATE exams_registration SET entered_by_id = (SELECT i.created_by_id FROM exams_rosterimport i "
            "WHERE i.id = exams_registration.roster_import_id) WHERE entered_by_id IS NULL")
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("ALTER TABLE exams_registration ALTER COLUMN entered_by_id SET NOT NULL")
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0003_registration_unindexed_entered_by_and_import"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AlterNullOnly(
            model_name="registration",
            name="entered_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
    ]
