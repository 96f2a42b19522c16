"""The investigator's pages after approval: the study page (the agreement, the milestone schedule with
each milestone's evidence and payment, the final report, amendments), the research agreement (read,
sign, download once executed) and the downloads. Every proposal is loaded scoped to the user's
institution, so anyone else gets 404 on every URL here, downloads included. Thin over
research/services_post_award.py and the workflow's one door."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grants.agreement_pdf import blocks_of
from grants.downloads import bytes_download, file_download
from grants.forms.post_award import SignAgreementForm, summary_of
from portal.client_ip import client_ip
from workflow.engine import TransitionError, perform, why_not

from . import post_award as award
from .agreement_pdf import filename_of, render_agreement_pdf
from .choices import EvidenceState, MilestoneKind
from .forms_post_award import AmendmentForm, EvidenceForm, FinalReportForm
from .models import ResearchAgreement
from .services_post_award import sign_agreement
from .status import ResearchStatus as R
from .views import proposal_for
from .workflow import BY_NAME

AFTER_APPROVAL = {R.APPROVED, R.AGREEMENT_SENT, R.AGREEMENT_SIGNED, R.ACTIVE, R.FINAL_REPORT_DUE, R.CLOSED,
                  R.TERMINATED}  # fmt: skip
SIGNED = "Thank you: the research agreement is signed. Axsome countersigns it next; you will get an email."


def _approved(user, pk):
    proposal = proposal_for(user, pk)
    if proposal.status not in AFTER_APPROVAL:
        raise Http404("This proposal has no study page yet.")
    return proposal


def _may(proposal, user, name) -> bool:
    return why_not(proposal, user, BY_NAME[name]) is None


def _study_page(request, proposal, *, bound=None, status=200):
    bound = bound or {}
    milestones = list(proposal.milestones.select_related("payment"))
    may_upload = _may(proposal, request.user, "submit_milestone_evidence")
    for milestone in milestones:
        uploadable = milestone.kind not in (MilestoneKind.EXECUTION, MilestoneKind.FINAL_REPORT) and (
            milestone.evidence_state in (EvidenceState.AWAITED, EvidenceState.RETURNED)
        )
        milestone.form = None
        if may_upload and uploadable:
            milestone.form = bound.get(milestone.pk) or EvidenceForm(milestone=milestone)
            milestone.errors = summary_of(milestone.form) if milestone.form.is_bound else []
    final_form = None
    if _may(proposal, request.user, "submit_final_report"):
        final_form = bound.get("final") or FinalReportForm()
    agreements = list(proposal.agreements.only("pk", "version", "superseded_at", "signed_at", "signed_sha256",
                                               "countersigned_at", "countersigned_sha256", "text", "proposal_id"))
    paid = sum((m.payment.amount for m in milestones if m.is_paid), award.ZERO)
    return render(request, "research/post_award/study.html", {
        "proposal": proposal, "milestones": milestones, "paid": paid,
        "agreement": next((a for a in agreements if a.is_current), None),
        "final_form": final_form, "final_errors": summary_of(final_form) if final_form and final_form.is_bound else [],
        "amendments": list(proposal.amendments.all()),
        "may_amend": _may(proposal, request.user, "file_amendment"),
        "refunds": list(proposal.refunds.all()) if proposal.status == R.TERMINATED else [],
    }, status=status)  # fmt: skip


@login_required
@require_GET
def study(request, pk):
    return _study_page(request, _approved(request.user, pk))


@login_required
@require_POST
def evidence_submit(request, pk, milestone_pk):
    proposal = _approved(request.user, pk)
    milestone = get_object_or_404(proposal.milestones, pk=milestone_pk)
    form = EvidenceForm(request.POST, request.FILES, milestone=milestone)
    if form.is_valid():
        data = form.cleaned_data
        try:
            perform(proposal, "submit_milestone_evidence", by=request.user, milestone=milestone,
                    evidence=data["evidence"], evidence_type=form.evidence_type, nct_number=data.get("nct_number"),
                    enrolled=data.get("enrolled"), note=data.get("note"))  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as refusal:
            messages.error(request, f"{refusal} Nothing was uploaded.")
            return redirect("research:study", pk=pk)
        else:
            messages.success(request, f"The evidence of “{milestone.title}” is uploaded; the research team checks it.")
            return redirect("research:study", pk=pk)
    return _study_page(request, proposal, bound={milestone.pk: form}, status=400)


@login_required
@require_POST
def final_report_submit(request, pk):
    proposal = _approved(request.user, pk)
    form = FinalReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            perform(proposal, "submit_final_report", by=request.user, report=data["report"],
                    report_type=form.report_type, results_nct_number=data["results_nct_number"],
                    publication_links=data["publication_links"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as refusal:
            messages.error(request, f"{refusal} Nothing was submitted.")
            return redirect("research:study", pk=pk)
        else:
            messages.success(request, "The final study report is submitted; the research team reviews it.")
            return redirect("research:study", pk=pk)
    return _study_page(request, proposal, bound={"final": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_new(request, pk):
    proposal = _approved(request.user, pk)
    if not _may(proposal, request.user, "file_amendment"):
        messages.error(request, why_not(proposal, request.user, BY_NAME["file_amendment"]))
        return redirect("research:study", pk=pk)
    milestones = list(proposal.milestones.select_related("payment"))
    form = AmendmentForm(request.POST or None, request.FILES or None, milestones=milestones)
    if request.method == "POST" and form.is_valid():
        try:
            perform(proposal, "file_amendment", by=request.user, amendment=form.amendment())
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as refusal:
            messages.error(request, f"{refusal} Nothing was filed.")
            return redirect("research:study", pk=pk)
        else:
            messages.success(request, "The amendment is filed; the research team decides on it.")
            return redirect("research:study", pk=pk)
    return render(request, "research/post_award/amendment_form.html", {
        "proposal": proposal, "form": form, "errors": summary_of(form) if form.is_bound else [],
    }, status=400 if form.is_bound else 200)  # fmt: skip


def _agreement(user, pk, version):
    proposal = _approved(user, pk)
    agreement = get_object_or_404(ResearchAgreement.objects.select_related("template"), proposal=proposal,
                                  version=version)  # fmt: skip
    agreement.proposal = proposal
    return proposal, agreement


def _agreement_page(request, proposal, agreement, *, form=None, status=200):
    refusal = award.only_the_authorized_signer(proposal, request.user, set())
    can_sign = (refusal is None and proposal.status == R.AGREEMENT_SENT and agreement.is_current
                and not agreement.is_signed)  # fmt: skip
    if form is None and can_sign:
        form = SignAgreementForm(organisation_name=proposal.organisation.legal_name)
    return render(request, "research/post_award/agreement.html", {
        "proposal": proposal, "agreement": agreement, "blocks": blocks_of(agreement.text), "can_sign": can_sign,
        "refusal": refusal, "form": form, "errors": summary_of(form) if form is not None and form.is_bound else [],
    }, status=status)  # fmt: skip


@login_required
@require_GET
def agreement_detail(request, pk, version):
    proposal, agreement = _agreement(request.user, pk, version)
    return _agreement_page(request, proposal, agreement)


@login_required
@require_POST
def agreement_sign(request, pk, version):
    proposal, agreement = _agreement(request.user, pk, version)
    if agreement.is_signed or not agreement.is_current:
        messages.info(request, "This version of the agreement cannot be signed now; nothing was changed.")
        return redirect("research:agreement_detail", pk=pk, version=version)
    if award.only_the_authorized_signer(proposal, request.user, set()) is not None:
        return _agreement_page(request, proposal, agreement, status=403)
    form = SignAgreementForm(request.POST, organisation_name=proposal.organisation.legal_name)
    if form.is_valid():
        try:
            sign_agreement(proposal, agreement, by=request.user, signer_name=form.cleaned_data["signer_name"],
                           signer_title=form.cleaned_data["signer_title"], authority_confirmed=True,
                           ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""))  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as refusal:
            messages.error(request, f"{refusal} Nothing was signed.")
            return redirect("research:agreement_detail", pk=pk, version=version)
        else:
            messages.success(request, SIGNED)
            return redirect("research:agreement_detail", pk=pk, version=version)
    return _agreement_page(request, proposal, agreement, form=form, status=400)


@login_required
@require_GET
def agreement_pdf(request, pk, version):
    proposal, agreement = _agreement(request.user, pk, version)
    if not agreement.is_executed:
        raise Http404("This agreement is not executed.")
    return bytes_download(render_agreement_pdf(agreement), filename_of(agreement), "application/pdf")


@login_required
@require_GET
def evidence_download(request, pk, milestone_pk):
    proposal = _approved(request.user, pk)
    milestone = get_object_or_404(proposal.milestones, pk=milestone_pk)
    return file_download(milestone.evidence, milestone.evidence_original_name, milestone.evidence_content_type or None)


@login_required
@require_GET
def final_report_download(request, pk):
    proposal = _approved(request.user, pk)
    return file_download(proposal.final_report, proposal.final_report_original_name,
                         proposal.final_report_content_type or None)  # fmt: skip


urlpatterns = [
    path("research/proposals/<int:pk>/study/", study, name="study"),
    path("research/proposals/<int:pk>/milestones/<int:milestone_pk>/evidence/", evidence_submit,
         name="evidence_submit"),
    path("research/proposals/<int:pk>/milestones/<int:milestone_pk>/evidence/download/", evidence_download,
         name="evidence_download"),
    path("research/proposals/<int:pk>/final-report/", final_report_submit, name="final_report_submit"),
    path("research/proposals/<int:pk>/final-report/download/", final_report_download, name="final_report_download"),
    path("research/proposals/<int:pk>/amendments/new/", amendment_new, name="amendment_new"),
    path("research/proposals/<int:pk>/agreement/<int:version>/", agreement_detail, name="agreement_detail"),
    path("research/proposals/<int:pk>/agreement/<int:version>/sign/", agreement_sign, name="agreement_sign"),
    path("research/proposals/<int:pk>/agreement/<int:version>/pdf/", agreement_pdf, name="agreement_pdf"),
]  # fmt: skip
