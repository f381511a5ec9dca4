"""Set-based writes for batches (SPEC Q-PERF): many rows, each with its own values, in one
statement. PostgreSQL gets UPDATE … FROM unnest(arrays); other databases Django's
bulk_update."""
from django.db import connections, router


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
