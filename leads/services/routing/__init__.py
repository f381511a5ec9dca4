"""ROUTE-1..4, one module per job: `context` (reference data and users, once per batch),
`facts` and `related` (what `routing.decide` reads), `handout` (ROUTE-3 pool slots), `sla`
(ROUTE-4 deadlines), `route` (decide, assign, store, notify)."""

from .context import RoutingContext
from .handout import take_pool_slot
from .route import Routed, preview, route_people, route_person
from .sla import sla_due

__all__ = [
    "RoutingContext",
    "Routed",
    "preview",
    "route_people",
    "route_person",
    "sla_due",
    "take_pool_slot",
]
