"""The applicant's organisation: register it, look after its details and W-9, invite and remove members."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from portal.people import person_name
from portal.text import end_sentence

from ..downloads import file_download
from ..forms.organisations import InvitationForm, OrganisationForm
from ..models import Invitation, Membership, Organisation
from ..services import organisations as services


def _owner_refusal(request, organisation, action: str):
    return render(
        request,
        "grants/organisations/owner_only.html",
        {"organisation": organisation, "action": action},
        status=403,
    )


@login_required
def organisation_create(request):
    if services.membership_of(request.user):
        messages.info(request, "You already belong to an organization; here are its details.")
        return redirect("grants:organisation_detail")
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.register_organisation(
                user=request.user, details=form.details(), w9=form.cleaned_data.get("w9_file"),
                w9_signed_on=form.cleaned_data.get("w9_signed_on"),
            )
        except services.OrganisationRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{organisation} is registered and you are its owner.")
            return redirect("grants:organisation_detail")
    return render(request, "grants/organisations/form.html", {"form": form, "creating": True})


def _organisation_for_page(membership: Membership) -> Organisation:
    members = Membership.objects.select_related("user").order_by("joined_at")
    pending = (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    return Organisation.objects.prefetch_related(
        Prefetch("memberships", queryset=members), Prefetch("invitations", queryset=pending, to_attr="pending")
    ).get(pk=membership.organisation_id)


def _detail_page(request, membership: Membership, invite_form=None):
    organisation = _organisation_for_page(membership)
    is_owner = membership.role == Membership.Role.OWNER
    context = {
        "organisation": organisation,
        "membership": membership,
        "members": organisation.memberships.all(),
        "pending_invitations": organisation.pending,
        "is_owner": is_owner,
        "invite_form": invite_form or (InvitationForm() if is_owner else None),
        "now": timezone.now(),
        "today": timezone.localdate(),
        "invitation_days": settings.IME_INVITATION_DAYS,
    }
    return render(request, "grants/organisations/detail.html", context)


@login_required
def organisation_detail(request):
    membership = services.membership_of(request.user)
    if membership is None:
        messages.info(
            request, "You have not joined an organization yet. Register yours below, or ask its owner to invite you."
        )
        return redirect("grants:organisation_create")
    return _detail_page(request, membership)


@login_required
def organisation_edit(request):
    membership = services.membership_of(request.user)
    if membership is None:
        return redirect("grants:organisation_create")
    organisation = membership.organisation
    if membership.role != Membership.Role.OWNER:
        return _owner_refusal(request, organisation, "change the organization's details")
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(
                organisation=organisation, by=request.user, details=form.details(), w9=form.cleaned_data["w9_file"],
                w9_signed_on=form.cleaned_data.get("w9_signed_on"),
            )
        except services.OrganisationRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The organization's details are saved.")
            return redirect("grants:organisation_detail")
    return render(
        request, "grants/organisations/form.html", {"form": form, "creating": False, "organisation": organisation}
    )


@login_required
def organisation_w9(request):
    membership = services.membership_of(request.user)
    if membership is None or not membership.organisation.w9:
        raise Http404("No W-9 on file.")
    organisation = membership.organisation
    # A tax form (EIN, address): served like the request documents, never kept by a shared cache.
    return file_download(organisation.w9, services.w9_download_name(organisation), "application/pdf")


@login_required
@require_POST
def organisation_invite(request):
    membership = services.membership_of(request.user)
    if membership is None:
        raise Http404("No organization.")
    if membership.role != Membership.Role.OWNER:
        return _owner_refusal(request, membership.organisation, "invite members")
    form = InvitationForm(request.POST, inviter=request.user)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                organisation=membership.organisation, email=form.cleaned_data["email"], invited_by=request.user
            )
        except services.OrganisationRuleError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                f"We emailed an invitation to {invitation.email}. The link works until "
                f"{date_format(timezone.localtime(invitation.expires_at))}.",
            )
            return redirect("grants:organisation_detail")
    return _detail_page(request, membership, invite_form=form)


@login_required
@require_POST
def invitation_revoke(request, pk):
    membership = services.membership_of(request.user)
    if membership is None:
        raise Http404("No organization.")
    invitation = get_object_or_404(Invitation, pk=pk, organisation_id=membership.organisation_id)
    if membership.role != Membership.Role.OWNER:
        return _owner_refusal(request, membership.organisation, "withdraw invitations")
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except services.OrganisationRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("grants:organisation_detail")


@login_required
def member_remove(request, pk):
    membership = services.membership_of(request.user)
    if membership is None:
        raise Http404("No organization.")
    member = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=pk, organisation_id=membership.organisation_id
    )
    if membership.role != Membership.Role.OWNER:
        return _owner_refusal(request, membership.organisation, "remove members")
    if member.pk == membership.pk:
        messages.error(request, "You are the owner, so you cannot remove yourself from the organization.")
        return redirect("grants:organisation_detail")
    if request.method == "POST":
        try:
            services.remove_member(membership=member, by=request.user)
        except services.OrganisationRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{person_name(member.user)} is no longer a member.")
        return redirect("grants:organisation_detail")
    return render(request, "grants/organisations/member_remove.html", {"member": member})


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation", "invited_by"), token=token)
    context = {"invitation": invitation, "organisation": invitation.organisation}
    if not request.user.is_authenticated:
        here = reverse("grants:invitation_accept", args=[token])
        context.update(
            {
                "problem": services.invitation_link_problem(invitation),
                "here": here,
            }
        )
        return render(request, "grants/organisations/invitation_signed_out.html", context)
    problem = services.invitation_problem(invitation, request.user)
    if request.method == "POST" and problem is None:
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.OrganisationRuleError as error:
            problem = str(error)
        else:
            welcome = f"Welcome to {end_sentence(invitation.organisation)} You can now see its grant requests."
            messages.success(request, welcome)
            return redirect("grants:organisation_detail")
    context["problem"] = problem
    return render(request, "grants/organisations/invitation_accept.html", context)


urlpatterns = [
    path("organisation/", organisation_detail, name="organisation_detail"),
    path("organisation/new/", organisation_create, name="organisation_create"),
    path("organisation/edit/", organisation_edit, name="organisation_edit"),
    path("organisation/w9/", organisation_w9, name="organisation_w9"),
    path("organisation/invitations/", organisation_invite, name="organisation_invite"),
    path("organisation/invitations/<int:pk>/revoke/", invitation_revoke, name="invitation_revoke"),
    path("organisation/members/<int:pk>/remove/", member_remove, name="member_remove"),
    path("invitations/<str:token>/", invitation_accept, name="invitation_accept"),
]
