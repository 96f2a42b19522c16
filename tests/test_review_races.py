"""Two tabs of one reviewer, or a coordinator and a reviewer, acting at the same moment: the review
and the assignments are changed under row locks, so one action wins whole and the other is refused."""

import threading

import pytest
from django.db import connection

from grants.status import GrantStatus
from reviews.choices import RUBRIC, Recommendation
from reviews.models import Assignment, Review
from reviews.services import assign_reviewer, declare_conflict, submit_review
from workflow.engine import perform
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import SAMPLE_INPUTS, request_at

SCORES = {name: 4 for name, _ in RUBRIC}


def _race(*actions):
    """Run the actions at the same moment in threads; returns what each raised (or None)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
        except Exception as error:  # whatever refused it is the outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_a_conflict_declared_in_one_tab_is_never_overwritten_by_scores_from_another(attempt):
    reviewer = staff_with_role(Role.MEDICAL)
    grant_request = request_at(GrantStatus.MEDICAL_REVIEW)
    Assignment.objects.create(grant_request=grant_request, reviewer=reviewer, stage="medical_review",
                              assigned_by=reviewer)  # fmt: skip
    review = Review.objects.create(grant_request=grant_request, reviewer=reviewer, stage="medical_review",
                                   has_conflict=False)  # fmt: skip
    # Each tab holds the review as it was loaded, before the other acted.
    scores_tab, conflict_tab = Review.objects.get(pk=review.pk), Review.objects.get(pk=review.pk)

    outcomes = _race(
        lambda: submit_review(scores_tab, scores=SCORES, comments="Good.", recommendation=Recommendation.APPROVE),
        lambda: declare_conflict(conflict_tab, has_conflict=True, details="I am on their faculty."),
    )

    review.refresh_from_db()
    assert sum(o is None for o in outcomes) == 1, outcomes  # one wins, the other is refused
    if review.has_conflict:
        assert review.scores == [None] * len(RUBRIC) and review.recommendation == ""
    else:
        assert review.scores == [4] * len(RUBRIC) and review.recommendation == Recommendation.APPROVE


@pytest.mark.django_db(transaction=True)
def test_no_reviewer_is_assigned_to_a_request_decided_at_the_same_moment():
    coordinator = staff_with_role(Role.COORDINATOR)
    committee_member = staff_with_role(Role.COMMITTEE)
    grant_request = request_at(GrantStatus.SCREENING)

    outcomes = _race(
        lambda: perform(grant_request, "decline", by=coordinator, **SAMPLE_INPUTS["decline"]),
        lambda: assign_reviewer(grant_request, reviewer=committee_member, stage="committee_review", by=coordinator),
    )

    grant_request.refresh_from_db()
    assert grant_request.status == GrantStatus.DECLINED and outcomes[0] is None
    assigned = Assignment.objects.filter(grant_request=grant_request).exists()
    # Either the assignment came first (and stays on record) or it was refused after the decline.
    assert assigned == (outcomes[1] is None)
