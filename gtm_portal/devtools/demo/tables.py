"""Writing generated rows: a table's column layout, COPY on PostgreSQL and executemany
elsewhere, and explicit ids claimed up front so rows can point at each other."""

import json

from django.db import connection, models


class Table:
    """A table's column layout: rows are dicts of attnames; missing columns get the field's
    default (COPY and raw inserts apply no Django defaults, auto_now included). Derived
    columns a model declares (`DERIVED_FIELDS`, `derive()`) that a row leaves out are computed
    through a model instance: correct whatever gets added, fast for those the rows carry."""

    def __init__(self, model, now, *, with_id=False):
        self.model = model
        self.name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.defaults = []
        self.required = set()
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or not f.null:
                value = f.get_default()
            else:
                value = None
            if value is None and not f.null:
                self.required.add(f.attname)
            self.defaults.append((f.attname, value))
        self.derived = tuple(getattr(model, "DERIVED_FIELDS", ()))
        self.derive_missing: tuple | None = None

    def tuple(self, row: dict) -> tuple:
        if self.derive_missing is None:
            missing = self.required - row.keys()
            if missing:
                raise ValueError(f"{self.name}: no value for {', '.join(sorted(missing))}")
            self.derive_missing = tuple(name for name in self.derived if name not in row)
        get = row.get
        values = [get(name, default) for name, default in self.defaults]
        if self.derive_missing:
            obj = self.model(
                **{name: value for (name, _d), value in zip(self.defaults, values, strict=True)}
            )
            obj.derive()
            row = {name: getattr(obj, name) for name in self.derive_missing}
            values = [
                row.get(name, value)
                for (name, _d), value in zip(self.defaults, values, strict=True)
            ]
        return tuple(values)


class CopySink:
    """PostgreSQL: COPY FROM STDIN through the raw psycopg 3 connection."""

    def __init__(self):
        self.cursor = connection.cursor()

    def write(self, table: Table, rows) -> int:
        json_at = [i for i, f in enumerate(table.fields) if isinstance(f, models.JSONField)]
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        n = 0
        with self.cursor.copy(
            f"COPY {connection.ops.quote_name(table.name)} ({columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                values = table.tuple(row)
                if json_at:
                    values = list(values)
                    for i in json_at:
                        values[i] = json.dumps(values[i])
                copy.write_row(values)
                n += 1
        return n

    def close(self):
        self.cursor.close()


class InsertSink:
    """Any other database: executemany in batches, values prepared by the model fields."""

    BATCH = 5000

    def __init__(self):
        self.cursor = connection.cursor()

    def write(self, table: Table, rows) -> int:
        preps = [f.get_db_prep_save for f in table.fields]
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(table.name)} ({', '.join(qn(c) for c in table.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(table.columns))})"
        )
        batch, n = [], 0
        for row in rows:
            values = table.tuple(row)
            batch.append([prep(v, connection) for prep, v in zip(preps, values, strict=True)])
            if len(batch) >= self.BATCH:
                self.cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
            n += len(batch)
        return n

    def close(self):
        self.cursor.close()


def reserve_ids(model, n: int) -> int:
    """Claim `n` consecutive ids for explicit-id rows; returns the first. On PostgreSQL the
    sequence moves past them, under a table lock so no concurrent insert takes one meanwhile."""
    table = model._meta.db_table
    qn = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {qn} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 "
                f"FROM {qn})) + %s - 1)",
                [sequence, sequence, n],
            )
            return cursor.fetchone()[0] - n + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn}")
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found and found[0] is not None:
                first = max(first, found[0] + 1)
        return first


def assign_ids(model, rows) -> None:
    """Give rows their ids before writing (other rows point at them): on PostgreSQL drawn
    from the table's sequence, elsewhere reserved after the current maximum."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
    else:
        first = reserve_ids(model, len(rows))
        ids = range(first, first + len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
