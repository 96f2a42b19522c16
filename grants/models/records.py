"""What happens to a grant request, as both sides read it: the audit log of its status changes, the
requests for information and the message thread, and the decision. The workflow writes them
(``grants/workflow.py``); staff and applicant pages read them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from workflow.engine import TransitionError
from workflow.models import AuditEntry

from ..choices import DecisionOutcome
from ..status import GrantStatus


class StatusChange(AuditEntry):
    """Append-only audit log of every status change: who, when, from, to, and why. A request with a
    log cannot be deleted (PROTECT): the record outlives any clean-up."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    to_status = models.CharField(max_length=30, choices=GrantStatus.choices)

    class Meta(AuditEntry.Meta):
        indexes = [
            # "When did this request first reach status X": the dashboard's cycle times ask it once per
            # request (a correlated MIN), which without this index reads the request's whole history.
            models.Index(fields=["grant_request", "to_status", "created_at"], name="statuschange_reached_idx"),
            # "Which requests reached status X this year" (the same figures, narrowed first).
            models.Index(fields=["to_status", "created_at"], name="statuschange_to_when_idx"),
        ]


class QuestionBase(models.Model):
    """A question staff put to the applicant side, answered once; the one door for both kinds of request.

    The concrete model adds the foreign key to what it is about (named by ``SUBJECT``) and sets
    ``MESSAGE_MODEL`` (a ``ThreadMessageBase`` model) so that the question and its answer also appear
    in that thread. ``open`` and ``answer_open`` are the only ways to ask and answer.
    """

    SUBJECT = "grant_request"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField("what we need")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"Information request of {date_format(timezone.localtime(self.created_at))}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @classmethod
    def message_model(cls):
        raise NotImplementedError

    @classmethod
    def open(cls, subject, *, by, message, **fields):
        """Ask the applicant (the subject's one open question), posted in the thread too."""
        question = cls.objects.create(**{cls.SUBJECT: subject}, requested_by=by, message=message, **fields)
        cls.message_model().objects.create(
            **{cls.SUBJECT: subject}, author=by, from_staff=True, body=question.message, information_request=question
        )
        return question

    @classmethod
    def answer_open(cls, subject, *, by, answer, none_open: str, **message_fields):
        """Answer the open question under a row lock, posted in the thread too (with ``message_fields``,
        an attachment for instance); ``none_open`` is the refusal when there is none (already answered
        from another tab)."""
        question = (
            cls.objects.select_for_update()
            .filter(**{cls.SUBJECT: subject}, answered_at__isnull=True)
            .select_related("requested_by")
            .first()
        )
        if question is None:
            raise TransitionError(none_open)
        question.answered_at = timezone.now()
        question.answered_by = by
        question.answer = answer
        question.save(update_fields=["answered_at", "answered_by", "answer"])
        cls.message_model().objects.create(
            **{cls.SUBJECT: subject}, author=by, from_staff=False, body=question.answer,
            information_request=question, **message_fields,
        )  # fmt: skip
        return question


class InformationRequest(QuestionBase):
    """Staff ask the applicant for more information; the applicant may edit the named sections."""

    grant_request = models.ForeignKey(
        "grants.GrantRequest", on_delete=models.CASCADE, related_name="information_requests"
    )
    sections = models.JSONField(default=list, help_text="Slugs of the sections the applicant may edit.")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant_request"], condition=Q(answered_at__isnull=True), name="one_open_information_request"
            )
        ]

    @classmethod
    def message_model(cls):
        return Message

    @classmethod
    def open(cls, grant_request, *, by, message, sections=()):
        return super().open(grant_request, by=by, message=message, sections=list(sections))


class ThreadMessageBase(models.Model):
    """One message of a staff ↔ applicant thread; the concrete model adds the subject's foreign key and
    the ``information_request`` it may belong to."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Message of {date_format(timezone.localtime(self.created_at), 'DATETIME_FORMAT')}"


class Message(ThreadMessageBase):
    """The staff ↔ applicant thread on a request."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="messages")
    information_request = models.ForeignKey(
        InformationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )

    class Meta(ThreadMessageBase.Meta):
        pass


class Decision(models.Model):
    grant_request = models.OneToOneField("grants.GrantRequest", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    message_to_applicant = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    # What the decision page warned about when the approval took the area or the year over its budget
    # (grants/budgets.py); staff may still decide, and the warning stays with the decision. NULL: none.
    budget_warning = models.TextField(null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            # An approval carries the amount approved; a decline carries none.
            models.CheckConstraint(
                condition=(
                    Q(outcome=DecisionOutcome.DECLINED, approved_amount__isnull=True)
                    | Q(
                        outcome__in=[DecisionOutcome.APPROVED, DecisionOutcome.PARTIALLY_APPROVED],
                        approved_amount__gt=0,
                    )
                ),
                name="decision_outcome_matches_amount",
            )
        ]

    def __str__(self):
        return self.get_outcome_display()
