"""The box office's PostgreSQL backend, emptied between transactional tests by DELETE
rather than TRUNCATE.

pytest-django empties every table after each test that commits (races, browser tests,
a real worker). TRUNCATE gives each table a new file on disk: a sixth of a second for the
project's fifty tables, hundreds of times a run. The tables hold a test's few rows, which
DELETE removes in a couple of milliseconds. The foreign keys Django makes are deferred,
so the order of the deletes does not matter within the one transaction they run in. A
flush that resets sequences (none of the suite's) keeps TRUNCATE.

At the end of the run the test database is dropped WITH (FORCE): the browser tests'
run ends on the live server's threads, whose last connections may not have closed yet."""

from django.db.backends.postgresql.creation import DatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations

from boxoffice.db import base


class EmptiedByDelete(DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences,
                                     allow_cascade=allow_cascade)
        # As TRUNCATE would, wait first for whatever still writes to them (a live server's
        # request finishing after its test), so that its rows go too.
        return [f"LOCK TABLE {', '.join(self.quote_name(t) for t in tables)} IN EXCLUSIVE MODE",
                "SET CONSTRAINTS ALL DEFERRED",
                *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))}"
                  for t in tables)]


class DroppedWhoeverIsOnIt(DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        self.connection.close_pool()
        with self._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE {self.connection.ops.quote_name(test_database_name)} WITH (FORCE)")


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = EmptiedByDelete
    creation_class = DroppedWhoeverIsOnIt
