"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit table.

SQLite has no equivalent that a superuser cannot bypass; there the hash chain and
``verify-audit`` are the protection.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION skillreg_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION skillreg_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS skillreg_audit_append_only();
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        # No params: the plpgsql '%' placeholder must reach the server untouched.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
