"""The scientific review of a full proposal and the conversation with the investigator, as records.

Reviews use the IME mechanism's abstract bases (``reviews.models.ReviewerAssignment`` and
``ConflictFirstReview``): the same columns, the same conflict-first rule and the same score checks,
with the research rubric (``research.choices.RESEARCH_RUBRIC``) in place of the IME one.

Information requests and messages: why research has its own two small tables on the shared base
classes rather than rows in ``grants.InformationRequest`` / ``grants.Message``. Those tables are keyed
to ``GrantRequest`` (a non-null foreign key, one open question per request, the IME section slugs);
pointing them at either kind would need a nullable pair of foreign keys or a generic relation, weaken
the "one open question" constraint and make every IME query filter by kind. The behavior is what is
shared: ``grants.models.records.QuestionBase`` (``open`` / ``answer_open`` under a row lock, each
posted in the thread) and ``ThreadMessageBase``, with the services in ``research/conversation.py``
using the same upload checks and download door as the IME side. Research messages also carry an
optional attachment, which the investigator may add to an answer or a message.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.models.records import QuestionBase, ThreadMessageBase
from reviews.models import ConflictFirstReview, ReviewerAssignment, score_constraints, score_field

from .choices import RESEARCH_RUBRIC, ResearchRecommendation
from .models import _unguessable


def attachment_key(instance, filename: str) -> str:
    return _unguessable("research/messages", filename)


class ResearchAssignment(ReviewerAssignment):
    """A member of the scientific review committee asked to review a full proposal."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="research_assignments"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="one_research_assignment_per_reviewer")
        ]

    def __str__(self):
        return f"{self.reviewer} — scientific review"


class ResearchReview(ConflictFirstReview):
    """One committee member's review of a full proposal: conflict of interest first, then the research
    rubric. A conflicted review is submitted as declared and counts in no average."""

    RUBRIC = RESEARCH_RUBRIC

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="research_reviews")
    has_conflict = models.BooleanField("I have a conflict of interest with this proposal", null=True)
    score_scientific_merit = score_field("Scientific merit")
    score_feasibility = score_field("Feasibility")
    score_alignment = score_field("Alignment with areas of interest")
    score_budget = score_field("Budget and fair market value")
    score_safety = score_field("Safety")
    recommendation = models.CharField(max_length=30, choices=ResearchRecommendation.choices, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="one_research_review_per_reviewer"),
            *score_constraints(RESEARCH_RUBRIC, "research_review"),
        ]

    def __str__(self):
        return f"Scientific review by {self.reviewer}"


class ResearchInformationRequest(QuestionBase):
    """The committee's question to the investigator; while it is open the full proposal is editable."""

    SUBJECT = "proposal"

    proposal = models.ForeignKey(
        "research.ResearchProposal", on_delete=models.CASCADE, related_name="information_requests"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(answered_at__isnull=True), name="one_open_research_question"
            )
        ]

    @classmethod
    def message_model(cls):
        return ResearchMessage


class ResearchMessage(ThreadMessageBase):
    """The staff ↔ investigator thread on a proposal; a message may carry one checked attachment."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.CASCADE, related_name="messages")
    information_request = models.ForeignKey(
        ResearchInformationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    attachment = models.FileField(upload_to=attachment_key, blank=True)
    attachment_original_name = models.CharField(max_length=255, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)

    class Meta(ThreadMessageBase.Meta):
        pass
