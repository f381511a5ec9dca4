"""Set-based writes for batches of thousands (SPEC Q-PERF): many rows, each with its own
values, in one statement. On PostgreSQL new rows go in by COPY (the rows streamed, each
value adapted by psycopg: 1.5 s for 20,000 leads against 2.5 s as one JSON document) and
changes travel as one JSON document (UPDATE … FROM json_to_recordset(%s)); other databases
get Django's bulk_create and bulk_update. Column names come from `_meta`; values are
parameters. COPY does not pass through Django's query log (it is no `execute`). Fewer rows
use the ORM as usual."""

import datetime
import decimal
import json
import operator
import uuid

from django.db import connections, models, router
from django.db.models import F
from django.utils import timezone


def bulk_update_rows(objs, fields: list[str]) -> int:
    """Write `fields` of every object in `objs` (one model) in one statement."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    if connections[router.db_for_write(model)].vendor != "postgresql":
        return model.objects.bulk_update(objs, fields, batch_size=500)
    attnames = [model._meta.get_field(name).attname for name in fields]
    return update_values(model, fields, [(o.pk, *[getattr(o, a) for a in attnames]) for o in objs])


def update_values(model, fields: list[str], rows, *, touch: bool = False) -> int:
    """`bulk_update_rows` from plain tuples (primary key, then each of `fields`' values as
    its attribute holds it): no model objects to build for thousands of rows. On PostgreSQL
    the rows travel as one JSON document, as in `insert_values`:
    UPDATE … FROM json_to_recordset(%s) … WHERE the primary keys match. `touch`: a job
    changed the rows, so each gets a new version (Q-CONC: a form opened before goes stale)."""
    rows = list(rows)
    if not rows:
        return 0
    conn = connections[router.db_for_write(model)]
    pk = model._meta.pk
    cols = [model._meta.get_field(name) for name in fields]
    if conn.vendor != "postgresql":
        names = {pk.attname, *(f.attname for f in cols)}
        order = [f.attname for f in model._meta.concrete_fields if f.attname in names]
        objs = []
        for row in rows:
            given = dict(zip([pk.attname, *(f.attname for f in cols)], row, strict=True))
            obj = model.from_db(None, order, [given[name] for name in order])
            if touch:
                obj.version = F("version") + 1
            objs.append(obj)
        return model.objects.bulk_update(
            objs, [*fields, "version"] if touch else fields, batch_size=500
        )
    quote = conn.ops.quote_name
    is_json = [isinstance(f, models.JSONField) for f in cols]
    types = ", ".join(
        [f"{quote(pk.column)} {pk.rel_db_type(conn)}"]
        + [
            f"{quote(f.column)} {'jsonb' if j else f.db_type(conn)}"
            for f, j in zip(cols, is_json, strict=True)
        ]
    )
    sets = ", ".join(f"{quote(f.column)} = r.{quote(f.column)}" for f in cols)
    if touch:
        sets += f", {quote('version')} = t.{quote('version')} + 1"
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {sets} "
        f"FROM json_to_recordset(%s::json) AS r({types}) "
        f"WHERE t.{quote(pk.column)} = r.{quote(pk.column)}"
    )
    spec = [(f, f.column, _plain_type(f)) for f in [pk, *cols]]
    convert = _PerValue(lambda f, v: _json_value(f, v, isinstance(f, models.JSONField), conn))
    doc = []
    for row in rows:
        out = {}
        for (f, column, plain_type), value in zip(spec, row, strict=True):
            out[column] = (
                value if value is None or value.__class__ is plain_type else convert(f, value)
            )
        doc.append(out)
    with conn.cursor() as cursor:
        cursor.execute(sql, [json.dumps(doc)])
        return cursor.rowcount


def insert_values(model, fields: list[str], rows) -> int:
    """New rows of `model` from plain tuples (each of `fields`' values as its attribute
    holds it — a foreign key's id under its attname): no model objects to build for
    thousands of rows. On PostgreSQL one COPY … FROM STDIN, each value as the field would
    save it (`get_db_prep_save`); elsewhere bulk_create. Returns how many rows went in."""
    rows = list(rows)
    if not rows:
        return 0
    conn = connections[router.db_for_write(model)]
    cols = [model._meta.get_field(name) for name in fields]
    if conn.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**{c.attname: v for c, v in zip(cols, row, strict=True)}) for row in rows],
            batch_size=2000,
        )
        return len(rows)
    quote = conn.ops.quote_name
    columns = ", ".join(quote(f.column) for f in cols)
    spec = [(f, _plain_type(f)) for f in cols]
    prepared = _PerValue(lambda f, v: f.get_db_prep_save(v, conn))
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    value if value is None or value.__class__ is plain_type else prepared(f, value)
                    for (f, plain_type), value in zip(spec, row, strict=True)
                ]
            )
    return len(rows)


def insert_objects(objs: list) -> list:
    """New model objects of one model, their ids taken first from the table's sequence, then
    inserted through `insert_values` (PostgreSQL: no ORM compile per row); elsewhere
    bulk_create. Foreign keys are read from their `<name>_id` attributes (set them before);
    auto_now / auto_now_add columns get now. Returns the objects, each with its pk."""
    if not objs:
        return objs
    model = type(objs[0])
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=2000)
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    pk = model._meta.pk
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        for f in stamped:
            if f.auto_now or getattr(obj, f.attname) is None:
                setattr(obj, f.attname, now)
    row_of = operator.attrgetter(*[f.attname for f in fields])
    insert_values(model, [f.name for f in fields], [row_of(o) for o in objs])
    return objs


# Values of these types are sent as they are (what get_db_prep_save would return).
_PLAIN = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "BooleanField": bool,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveSmallIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
}


def _plain_type(field):
    target = field.target_field if field.is_relation else field
    return _PLAIN.get(target.get_internal_type())


class _PerValue:
    """`prepare(field, value)` for one statement's rows, each (column, value) worked out
    once: a batch repeats the same moments (its `now`) and keys thousands of times."""

    def __init__(self, prepare):
        self.prepare = prepare
        self.done: dict = {}

    def __call__(self, field, value):
        try:
            key = (field.column, value.__class__, value)
            return self.done[key]
        except KeyError:
            out = self.done[key] = self.prepare(field, value)
            return out
        except TypeError:  # not hashable (a JSON value)
            return self.prepare(field, value)


def _json_value(field, value, is_json: bool, conn):
    if is_json:  # nested in the document as the field's encoder writes it
        return value if field.encoder is None else json.loads(json.dumps(value, cls=field.encoder))
    value = field.get_db_prep_save(value, conn)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetimes too: ISO with offset
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(
        f"core.bulk cannot send {type(value).__name__} ({field.model.__name__}.{field.name})"
    )
