"""The "full-proposal deadline approaching" reminder, on the one reminder sweep: sent exactly once per
deadline, only for an invited proposal not yet submitted, and again when staff move the deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import Email
from research.models import ResearchProposal
from research.status import ResearchStatus as R
from reviews.reminders import ALL_OCCASIONS, send_due_reminders
from workflow.engine import perform

from .research_steps import fill_full_proposal, proposal_at

pytestmark = pytest.mark.django_db
KIND = "research_full_proposal_due"


def due_in(days, status=R.FULL_PROPOSAL_INVITED):
    proposal = proposal_at(status)
    ResearchProposal.objects.filter(pk=proposal.pk).update(
        full_proposal_due_on=timezone.localdate() + timedelta(days=days)
    )
    proposal.refresh_from_db()
    return proposal


def mails():
    return Email.objects.filter(template="reminder_research_full_proposal_due")


def test_research_registers_its_occasion_in_the_one_sweep(settings):
    assert KIND in ALL_OCCASIONS
    assert settings.IIS_REMINDER_FULL_PROPOSAL_DAYS == 14


def test_the_reminder_is_sent_once_when_the_deadline_is_near():
    soon = due_in(10)
    due_in(30)  # not yet
    due_in(-1)  # past: the submission is refused anyway
    first = send_due_reminders()
    second = send_due_reminders()
    assert first[KIND] == 1 and second[KIND] == 0
    mail = mails().get()
    assert mail.to == [soon.pi_email, soon.created_by.email]
    assert soon.reference in mail.subject and "in 10 days" in mail.body_text
    assert mail.body_html.strip()


def test_no_reminder_once_the_full_proposal_is_submitted():
    proposal = due_in(5)
    fill_full_proposal(proposal)
    perform(proposal, "submit_full_proposal", by=proposal.created_by)
    assert send_due_reminders()[KIND] == 0 and not mails().exists()


def test_a_moved_deadline_gets_its_own_reminder():
    proposal = due_in(3)
    assert send_due_reminders()[KIND] == 1
    moved = proposal.full_proposal_due_on + timedelta(days=5)
    ResearchProposal.objects.filter(pk=proposal.pk).update(full_proposal_due_on=moved)
    assert send_due_reminders()[KIND] == 1
    assert send_due_reminders()[KIND] == 0
    assert mails().count() == 2


def test_the_sweep_costs_one_query_for_research_however_many_proposals(django_assert_max_num_queries):
    for days in (1, 2, 3):
        due_in(days)
    send_due_reminders()
    with django_assert_max_num_queries(len(ALL_OCCASIONS) + 2):
        assert send_due_reminders()[KIND] == 0
