"""Reference data routing reads once per batch, and the users it routes to (a per-process
store: intake routes to a handful of owners over and over)."""

import copy

from django.db import connection

from accounts.hierarchy import current_thresholds
from gtm_portal.core import labels, snapshots
from gtm_portal.core.meta import concrete_field
from gtm_portal.core.sqlrows import ModelRows
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import Region, WordListEntry
from gtm_portal.users.models import User

from ... import routing


class RoutingContext:
    """Reference data routing reads, loaded once per batch."""

    def __init__(self):
        words = dict.fromkeys(WordList.values, ())
        lists: dict[str, list[str]] = {}
        for kind, value in WordListEntry.objects.values_list("list", "value"):
            lists.setdefault(kind, []).append(value)
        words.update({k: tuple(v) for k, v in lists.items()})
        self.rules = routing.Rules(
            pubsec_words=tuple(words[WordList.PUBSEC]),
            free_domains=frozenset(v.lower() for v in words[WordList.FREE_DOMAIN]),
            segment_thresholds=current_thresholds(),
        )
        self.blocked = frozenset(v.lower() for v in words[WordList.BLOCKED_DOMAIN])
        self._queues = {u.display_name: u for u in User.objects.queues()}
        self.pools: dict | None = None  # name → active pool, when preloaded (refcache)
        self.holidays: tuple | None = None  # (day loaded, region id → dates), when preloaded

    def queue(self, name: str) -> User:
        return self._queues[name]


# The users routing has read, by id and by username: kept while no user or region is saved
# or deleted (the users snapshot's token, `core.labels`) and for at most 30 seconds.
_known: snapshots.Snapshot[dict] = snapshots.Snapshot(labels.KEY, dict)


def known_users(ids, names) -> list:
    """`users_with_regions`, from the per-process store of the users routing has read.
    Intake routes to a handful of owners over and over; each submission read them again
    (Q-PERF). Each call gets its own copies (the region objects are shared, read only)."""
    store = _known.get()
    missing_ids = {pk for pk in ids if pk not in store}
    missing_names = {n for n in names if n not in store}
    got = {}
    if missing_ids or missing_names:
        for u in users_with_regions(missing_ids, missing_names):
            store[u.pk] = store[u.username] = got[u.pk] = u
    for key in (*ids, *names):
        user = store.get(key)
        if user is not None:
            got.setdefault(user.pk, user)
    return [copy.copy(u) for u in got.values()]


def users_with_regions(ids, names) -> list:
    """The users with these ids or usernames, each with its region and the region's parent
    attached — what `User.objects.select_related("region", "region__parent")
    .filter(Q(pk__in=ids) | Q(username__in=names))` gives — in SQL written once, the values
    converted as the ORM converts them (Q-PERF: routing asks it for every submission)."""

    qn = connection.ops.quote_name
    users, regions = ModelRows.of(User), ModelRows.of(Region)
    columns = ", ".join(
        reader.columns(alias) for alias, reader in (("u", users), ("r", regions), ("p", regions))
    )
    where, params = [], []
    for field, values in (("id", list(ids)), ("username", list(names))):
        if values:
            where.append(
                f"u.{qn(concrete_field(User, field).column)} IN ({', '.join(['%s'] * len(values))})"
            )
            params += values
    if not where:
        return []
    region = User._meta.get_field("region")
    parent = Region._meta.get_field("parent")
    region_pk = qn(Region._meta.pk.column)
    sql = (
        f"SELECT {columns} FROM {qn(User._meta.db_table)} u"
        f" LEFT OUTER JOIN {qn(Region._meta.db_table)} r"
        f" ON r.{region_pk} = u.{qn(region.column)}"
        f" LEFT OUTER JOIN {qn(Region._meta.db_table)} p"
        f" ON p.{region_pk} = r.{qn(parent.column)}"
        f" WHERE {' OR '.join(where)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n_user, n_region = len(users.fields), len(regions.fields)
    out = []
    for row in rows:
        user = users.build(row[:n_user])
        region_obj = None
        if row[n_user] is not None:
            region_obj = regions.build(row[n_user : n_user + n_region])
            parent_values = row[n_user + n_region :]
            parent_obj = regions.build(parent_values) if parent_values[0] is not None else None
            parent.set_cached_value(region_obj, parent_obj)
        region.set_cached_value(user, region_obj)
        out.append(user)
    return out
