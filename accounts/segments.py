"""REF-2 segments from the total employee count (pure)."""

from gtm_portal.refdata.enums import SEGMENT_RANK, Segment


def segment_for_employees(employees: int | None, strategic: bool = False) -> str:
    if strategic:
        return Segment.STRATEGIC
    if employees is None:
        return Segment.UNKNOWN
    if employees >= 2000:
        return Segment.LARGE
    if employees >= 100:
        return Segment.MID_MARKET
    if employees >= 1:
        return Segment.SMB
    return Segment.UNKNOWN


def max_segment(segments) -> str:
    return max(segments, key=lambda s: SEGMENT_RANK[Segment(s)], default=Segment.UNKNOWN)
