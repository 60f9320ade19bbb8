"""The database cache table, when SKILLREG_CACHE_URL names one (the production default).

The public rate limits count in the cache; with several server processes it must be shared
(settings.py). ``createcachetable`` creates the table of every configured database cache
and skips one that exists, so running it again (or changing the table name and migrating
with ``skillreg createcachetable``) is safe. Nothing to undo: the table holds only counters.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The default table always, whatever the settings at migrate time say (a database migrated
    # under SKILLREG_DEBUG=1 and served with 0 must still find it); then any other configured one.
    call_command("createcachetable", "skillreg_cache", database=schema_editor.connection.alias, verbosity=0)
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
