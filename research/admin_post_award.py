"""The staff proposal page's panels after approval: the research agreement in every version, the
milestone schedule with each milestone's evidence, verification and payment, the refunds after a
termination and the amendments; and the staff downloads (evidence, final report, executed agreement).
Each panel reads its records in one query, whatever their number."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from grants.downloads import bytes_download, file_download
from workflow.engine import available_transitions

from . import post_award as award
from .admin_actions import staff_proposals
from .agreement_pdf import filename_of, render_agreement_pdf
from .models import Milestone, ResearchAgreement
from .status import ResearchStatus as R

AFTER_APPROVAL = {R.APPROVED, R.AGREEMENT_SENT, R.AGREEMENT_SIGNED, R.ACTIVE, R.FINAL_REPORT_DUE, R.CLOSED,
                  R.TERMINATED}  # fmt: skip
MILESTONE_ROWS = ("verify_milestone", "return_milestone_evidence", "record_milestone_payment")


def _action_url(proposal, name, **query):
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, name])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_award_panels(proposal, user, roles) -> dict | None:
    """The panels' context, or None before approval."""
    if proposal.status not in AFTER_APPROVAL:
        return None
    open_rows = {rule.name for rule in available_transitions(proposal, user, roles=roles)}
    milestones = list(proposal.milestones.select_related("payment", "verified_by"))
    for milestone in milestones:
        milestone.actions = [
            (label, _action_url(proposal, name, milestone=milestone.pk))
            for name, label, wanted in (
                ("verify_milestone", "Verify", milestone.evidence_state == "submitted"),
                ("return_milestone_evidence", "Return", milestone.evidence_state == "submitted"),
                ("record_milestone_payment", "Record the payment", milestone.is_verified and not milestone.is_paid),
            )
            if wanted and name in open_rows
        ]
    paid = sum((m.payment.amount for m in milestones if m.is_paid), award.ZERO)
    refunds = list(proposal.refunds.select_related("recorded_by"))
    return {
        "agreements": list(proposal.agreements.select_related("template", "signed_by", "countersigned_by")),
        "milestones": milestones,
        "paid": paid,
        "earned": award.earned_amount(milestones),
        "approved": proposal.approved_amount,
        "refunds": refunds,
        "refunded": sum((r.amount for r in refunds), award.ZERO),
        "amendments": list(proposal.amendments.select_related("filed_by", "decided_by")),
    }


def staff_download(request, pk, kind, item):
    """A milestone's evidence, the final study report or an executed agreement, for staff."""
    proposal = get_object_or_404(staff_proposals(), pk=pk)
    if kind == "evidence":
        milestone = get_object_or_404(Milestone, proposal=proposal, pk=item)
        return file_download(milestone.evidence, milestone.evidence_original_name,
                             milestone.evidence_content_type or None)  # fmt: skip
    if kind == "final-report" and item == 0:
        return file_download(proposal.final_report, proposal.final_report_original_name,
                             proposal.final_report_content_type or None)  # fmt: skip
    if kind == "amendment":
        amendment = get_object_or_404(proposal.amendments, pk=item)
        return file_download(amendment.protocol, amendment.protocol_original_name,
                             amendment.protocol_content_type or None)  # fmt: skip
    if kind == "agreement":
        agreement = get_object_or_404(ResearchAgreement.objects.select_related("template"), proposal=proposal,
                                      version=item)  # fmt: skip
        if not agreement.is_executed:
            raise Http404("This agreement is not executed.")
        agreement.proposal = proposal
        return bytes_download(render_agreement_pdf(agreement), filename_of(agreement), "application/pdf")
    raise Http404("No such document.")
