"""Chainable reads of opportunities: the AE's views (VIEW-4) and the stages' own order."""

from django.db.models import Case, IntegerField, QuerySet, Transform, Value, When
from django.db.models.lookups import Exact

from .enums import OPEN_STAGES, Stage
from .models import Opportunity

# OPP-STAGES: the pipeline is the open stages an AE works, 1-Discovery to 6-Awaiting Signature.
PIPELINE_STAGES = (
    Stage.DISCOVERY,
    Stage.SCOPING,
    Stage.TECH_EVAL,
    Stage.PROPOSAL,
    Stage.NEGOTIATING,
    Stage.AWAITING_SIGNATURE,
)
STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage.values)}


class StageRank(Transform):
    """`stage__rank`: the stage's place in OPP-STAGES (00 → 10), so lists sort and page in the
    pipeline's order — alphabetically "0-Pending" would come before "00-Pre" and
    "10-Duplicate" before "2-Scoping". A lookup rather than an annotation, so that keyset
    pagination reads, filters and orders by it like any column."""

    lookup_name = "rank"
    output_field = IntegerField()

    def as_sql(self, compiler, connection):
        return compiler.compile(
            Case(
                *(
                    When(Exact(self.lhs, stage), then=Value(rank))
                    for stage, rank in STAGE_RANK.items()
                ),
                output_field=IntegerField(),
            )
        )


Opportunity._meta.get_field("stage").register_lookup(StageRank)


def all_opportunities() -> QuerySet:
    """The record list: every opportunity (everyone reads every record, ROLE-3)."""
    return Opportunity.objects.all()


def open_owned_by(owner) -> QuerySet:
    """ "My opportunities": the open ones (stages 00 to 6) that `owner` owns."""
    return Opportunity.objects.filter(owner=owner, stage__in=OPEN_STAGES)


def pipeline_of(owner) -> QuerySet:
    """ "My pipeline": `owner`'s open opportunities in stages 1 to 6."""
    return Opportunity.objects.filter(owner=owner, stage__in=PIPELINE_STAGES)
