"""Set-based writes for batches (SPEC Q-PERF): many rows, each with its own values, in one
statement. PostgreSQL gets UPDATE … FROM unnest(arrays) and INSERT … SELECT FROM
json_to_recordset(one JSON document); other databases Django's bulk_update and bulk_create."""
import datetime
import decimal
import json
import uuid

from django.db import connections, models, router

INSERT_CHUNK = 5000


def bulk_update_rows(objs, fields: list[str]) -> int:
    """Write `fields` of every object in `objs` (one model) in one statement."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        return model.objects.bulk_update(objs, fields, batch_size=500)
    cols = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    arrays = [[pk.get_db_prep_value(o.pk, conn) for o in objs]]
    arrays += [[col.get_db_prep_save(getattr(o, col.attname), conn) for o in objs]
               for col in cols]
    quote = conn.ops.quote_name
    select = ", ".join(
        [f"unnest(%s::{pk.rel_db_type(conn)}[]) AS {quote(pk.column)}"]
        + [f"unnest(%s::{col.db_type(conn)}[]) AS {quote(col.column)}" for col in cols])
    sets = ", ".join(f"{quote(col.column)} = v.{quote(col.column)}" for col in cols)
    sql = (f"UPDATE {quote(model._meta.db_table)} AS t SET {sets} FROM (SELECT {select}) AS v "
           f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}")
    with conn.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount


def bulk_insert_rows(objs, *, batch_size: int | None = None) -> list:
    """Insert new objects of one model (their related objects already saved) and set their
    primary keys, like `bulk_create`. On PostgreSQL all rows travel as one JSON document
    (one string to quote instead of an array per column, which the client-side binding
    escapes value by value): INSERT … SELECT … FROM json_to_recordset(%s) … RETURNING id."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    quote = conn.ops.quote_name
    is_json = [isinstance(f, models.JSONField) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    select = ", ".join(f"r.{quote(f.column)}" for f in fields)
    types = ", ".join(f"{quote(f.column)} {'jsonb' if j else f.db_type(conn)}"
                      for f, j in zip(fields, is_json, strict=True))
    sql = (f"INSERT INTO {quote(opts.db_table)} ({columns}) SELECT {select} "
           f"FROM json_to_recordset(%s::json) AS r({types}) RETURNING {quote(opts.pk.column)}")
    plain = [_plain_type(f) for f in fields]
    spec = list(zip(fields, [f.column for f in fields], plain, is_json, strict=True))
    for start in range(0, len(objs), INSERT_CHUNK):
        chunk = objs[start:start + INSERT_CHUNK]
        rows = []
        for obj in chunk:
            if obj.pk is not None:
                raise ValueError("bulk_insert_rows inserts new objects (pk None) only")
            row = {}
            for f, column, plain_type, j in spec:
                value = f.pre_save(obj, True)
                row[column] = (value if value is None or value.__class__ is plain_type
                               else _json_value(f, value, j, conn))
            rows.append(row)
        with conn.cursor() as cursor:
            cursor.execute(sql, [json.dumps(rows)])
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = conn.alias
    return objs


# Values of these types go into JSON as they are (what get_db_prep_save would return).
_PLAIN = {"CharField": str, "TextField": str, "SlugField": str, "BooleanField": bool,
          "IntegerField": int, "BigIntegerField": int, "SmallIntegerField": int,
          "PositiveIntegerField": int, "PositiveBigIntegerField": int,
          "PositiveSmallIntegerField": int, "AutoField": int, "BigAutoField": int,
          "SmallAutoField": int}


def _plain_type(field):
    target = field.target_field if field.is_relation else field
    return _PLAIN.get(target.get_internal_type())


def _json_value(field, value, is_json: bool, conn):
    if is_json:   # nested in the document as the field's encoder writes it
        return value if field.encoder is None else json.loads(json.dumps(value,
                                                                         cls=field.encoder))
    value = field.get_db_prep_save(value, conn)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):   # datetimes too: ISO with offset
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"bulk_insert_rows cannot send {type(value).__name__} "
                    f"({field.model.__name__}.{field.name})")
