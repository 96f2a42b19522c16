"""The applicant reads and signs the Letter of Agreement, and downloads it once executed (SPEC §4a).

Only the authorized signer named on the request sees the sign form; another member of the organization
is told who may sign; anyone outside the organization gets 404 on every page here. Signing goes
through ``grants.services.post_award.sign_agreement`` (the workflow's one door), which records the typed
name, the title, the time, the client's IP and browser, and the SHA-256 of the exact text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from portal.client_ip import client_ip
from workflow.engine import TransitionError

from ..agreement_pdf import blocks_of, filename_of, render_agreement_pdf
from ..downloads import bytes_download
from ..forms.post_award import SignAgreementForm, summary_of
from ..models import Agreement, GrantRequest
from ..services.award_facts import signer_label, signing_refusal
from ..services.post_award import sign_agreement
from ..status import GrantStatus as S

SIGNED = "Thank you: the agreement is signed. Axsome countersigns it next; you will get an email when it is executed."


def _letter(user, pk, version):
    """The request (of the user's own organization, else 404) and its letter of that version."""
    grant_request = get_object_or_404(GrantRequest.objects.for_user(user).select_related("organisation"), pk=pk)
    agreement = get_object_or_404(
        Agreement.objects.select_related("template"), grant_request=grant_request, version=version
    )
    agreement.grant_request = grant_request
    return grant_request, agreement


def _current_version(grant_request):
    return grant_request.agreements.filter(superseded_at__isnull=True).values_list("version", flat=True).first()


def _page(request, grant_request, agreement, *, form=None, status=200):
    refusal = signing_refusal(grant_request, request.user)
    can_sign = (
        refusal is None
        and grant_request.status == S.AGREEMENT_SENT
        and agreement.is_current
        and not agreement.is_signed
    )
    organisation_name = grant_request.organisation.legal_name
    form = form or (SignAgreementForm(organisation_name=organisation_name, initial={
        "signer_title": grant_request.signer_title}) if can_sign else None)  # fmt: skip
    return render(
        request,
        "grants/agreements/detail.html",
        {
            "grant_request": grant_request,
            "agreement": agreement,
            "blocks": blocks_of(agreement.text),
            "current_version": None if agreement.is_current else _current_version(grant_request),
            "can_sign": can_sign,
            "awaiting_signature": grant_request.status == S.AGREEMENT_SENT and agreement.is_current
            and not agreement.is_signed,
            "refusal": refusal,
            "signer_label": signer_label(grant_request),
            "form": form,
            "errors": summary_of(form) if form is not None and form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_GET
def agreement_detail(request, pk, version):
    grant_request, agreement = _letter(request.user, pk, version)
    return _page(request, grant_request, agreement)


@login_required
@require_POST
def agreement_sign(request, pk, version):
    grant_request, agreement = _letter(request.user, pk, version)
    if not agreement.is_current:
        messages.error(request, f"Version {agreement.version} was replaced by a newer version: nothing was signed.")
        return redirect("grants:agreement_detail", pk=pk, version=agreement.version)
    if agreement.is_signed:
        messages.info(request, "This version of the agreement is already signed; nothing was changed.")
        return redirect("grants:agreement_detail", pk=pk, version=agreement.version)
    if signing_refusal(grant_request, request.user) is not None:
        return _page(request, grant_request, agreement, status=403)
    form = SignAgreementForm(request.POST, organisation_name=grant_request.organisation.legal_name)
    if form.is_valid():
        try:
            sign_agreement(
                grant_request, agreement, by=request.user, signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"], authority_confirmed=True,
                ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as refusal:
            messages.error(request, f"{refusal} Nothing was signed.")
            return redirect("grants:agreement_detail", pk=pk, version=agreement.version)
        else:
            messages.success(request, SIGNED)
            return redirect("grants:agreement_detail", pk=pk, version=agreement.version)
    return _page(request, grant_request, agreement, form=form)


@login_required
@require_GET
def agreement_pdf(request, pk, version):
    """The executed letter as a PDF; 404 for a letter not executed (its page says so instead)."""
    grant_request, agreement = _letter(request.user, pk, version)
    if not agreement.is_executed:
        raise Http404("This letter is not executed.")
    return bytes_download(render_agreement_pdf(agreement), filename_of(agreement), "application/pdf")


urlpatterns = [
    path("requests/<int:pk>/agreement/<int:version>/", agreement_detail, name="agreement_detail"),
    path("requests/<int:pk>/agreement/<int:version>/sign/", agreement_sign, name="agreement_sign"),
    path("requests/<int:pk>/agreement/<int:version>/pdf/", agreement_pdf, name="agreement_pdf"),
]
