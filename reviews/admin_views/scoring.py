"""Reviews laid out for staff: who was asked, who answered, the scores and the averages."""

from dataclasses import dataclass, field
from decimal import Decimal

from ..choices import RUBRIC, ReviewStage


def mean_score(reviews) -> Decimal | None:
    """The average of the reviewers' own averages; reviewers with a conflict and unsubmitted reviews
    do not count."""
    averages = [r.average_score for r in reviews if r.submitted_at and r.average_score is not None]
    if not averages:
        return None
    return (sum(averages) / len(averages)).quantize(Decimal("0.01"))


@dataclass
class ReviewRow:
    reviewer: object
    review: object | None
    # Which rubric the row is scored on (IME by default; research passes its own).
    rubric: list = field(default_factory=lambda: RUBRIC)

    @property
    def state(self) -> str:
        if self.review is None or self.review.submitted_at is None:
            return "awaiting"
        return "conflict" if self.review.has_conflict else "submitted"

    @property
    def scores(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self.review, name, None)) for name, label in self.rubric]


@dataclass
class StageReviews:
    stage: ReviewStage
    rows: list[ReviewRow] = field(default_factory=list)
    hidden_until_own_review: bool = False

    @property
    def average(self) -> Decimal | None:
        return mean_score(row.review for row in self.rows if row.review is not None)

    @property
    def submitted_count(self) -> int:
        return sum(row.state == "submitted" for row in self.rows)


def reviews_by_stage(assignments, reviews, viewer) -> list[StageReviews]:
    """One block per stage: everyone assigned (awaiting or done) and anyone who reviewed.

    A reviewer who has not yet submitted at a stage does not see the others' scores at that stage,
    so their own judgement is their own.
    """
    blocks = []
    for stage in ReviewStage:
        by_reviewer = {r.reviewer_id: r for r in reviews if r.stage == stage}
        rows, seen = [], set()
        for assignment in (a for a in assignments if a.stage == stage):
            rows.append(ReviewRow(assignment.reviewer, by_reviewer.get(assignment.reviewer_id)))
            seen.add(assignment.reviewer_id)
        rows += [ReviewRow(r.reviewer, r) for r in by_reviewer.values() if r.reviewer_id not in seen]
        own = next((row for row in rows if row.reviewer.pk == viewer.pk), None)
        hidden = own is not None and own.state == "awaiting"
        blocks.append(StageReviews(stage, rows, hidden_until_own_review=hidden))
    return blocks
