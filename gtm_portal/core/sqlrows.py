"""Model objects from the rows of SQL written once (Q-PERF): what `Model.objects.raw()`
gives — each value converted as the ORM converts it, then `Model.from_db` — without the
work `raw()` repeats on every call (mapping the cursor's columns back to fields, looking
up their converters). The hot paths that ask fixed statements on every request (the API
token, intake's account match, routing's users) read their rows through here."""

from django.db import connections


class ModelRows:
    """Reads rows whose columns are `fields` of `model` (all concrete fields by default),
    in that order; one reader per connection, model and fields (`ModelRows.of`)."""

    def __init__(self, model, fields, connection):
        self.model = model
        self.fields = list(fields)
        self.names = [f.attname for f in self.fields]
        self.alias = connection.alias
        self.quote = connection.ops.quote_name
        self.converters = []
        for i, field in enumerate(self.fields):
            col = field.get_col(model._meta.db_table)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if convs:
                self.converters.append((i, convs, col))
        self.connection = connection

    @classmethod
    def of(cls, model, fields=None, *, using: str = "default") -> "ModelRows":
        connection = connections[using]
        fields = tuple(fields if fields is not None else model._meta.concrete_fields)
        cache = connection.__dict__.setdefault("_model_rows", {})
        key = (model, fields)
        reader = cache.get(key)
        if reader is None:
            reader = cache[key] = cls(model, fields, connection)
        return reader

    def columns(self, table: str | None = None) -> str:
        """The select list: the fields' columns in order, `table.` before each if given."""
        head = f"{self.quote(table)}." if table else ""
        return ", ".join(f"{head}{self.quote(f.column)}" for f in self.fields)

    def build(self, values):
        """One object from the row's values (a sequence, in the fields' order)."""
        values = list(values)
        for i, convs, col in self.converters:
            for conv in convs:
                values[i] = conv(values[i], col, self.connection)
        return self.model.from_db(self.alias, self.names, values)

    def fetch(self, sql: str, params) -> list:
        """The objects of every row `sql` returns (its columns: `columns()`)."""
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [self.build(row) for row in cursor.fetchall()]
