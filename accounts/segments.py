"""REF-2 segments from the total employee count (pure). The thresholds are reference data
(Marketing Ops edits them, `accounts.segment_settings`); `DEFAULT_THRESHOLDS` is SPEC's."""

from dataclasses import dataclass

from gtm_portal.refdata.enums import SEGMENT_RANK, Segment


@dataclass(frozen=True)
class Thresholds:
    """REF-2: the least employee count of each segment (Large ≥ large, Mid-Market ≥ mid_market,
    SMB ≥ smb; below, Unknown)."""

    large: int = 2000
    mid_market: int = 100
    smb: int = 1

    def problem(self) -> str | None:
        """Why these thresholds cannot be used (None when they can)."""
        if self.smb < 1:
            return "REF-2: the SMB threshold is at least 1 employee."
        if not self.smb < self.mid_market < self.large:
            return "REF-2: the thresholds must rise: SMB < Mid-Market < Large."
        return None


DEFAULT_THRESHOLDS = Thresholds()


def segment_for_employees(
    employees: int | None, strategic: bool = False, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> str:
    if strategic:
        return Segment.STRATEGIC
    if employees is None:
        return Segment.UNKNOWN
    if employees >= thresholds.large:
        return Segment.LARGE
    if employees >= thresholds.mid_market:
        return Segment.MID_MARKET
    if employees >= thresholds.smb:
        return Segment.SMB
    return Segment.UNKNOWN


def max_segment(segments) -> str:
    return max(segments, key=lambda s: SEGMENT_RANK[Segment(s)], default=Segment.UNKNOWN)
