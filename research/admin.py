"""Staff side of research proposals in the admin: the research queue (filters: stage, study type, area,
waiting on; search), each proposal's read-only page with its audit trail and the moves the member of
staff may make, the action pages (research/admin_actions.py) and the documents' downloads."""

from django.contrib import admin
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from grants.downloads import file_download
from reviews.admin_post_award import AgreementTemplateAdmin
from reviews.exports.columns import MONEY, Column
from reviews.exports.mixin import ExportMixin
from workflow.engine import available_transitions
from workflow.roles import Role, staff_roles_of

from . import admin_actions, admin_post_award, admin_review
from .agreement_terms import PLACEHOLDERS
from .choices import ConceptDeclineReason, ProposalDeclineReason
from .models import ResearchAgreementTemplate, ResearchProposal, ResearchReview, ResearchStatusChange
from .review import REVIEWABLE
from .status import APPLICANT_TURN, AWAITING_STAFF
from .status import ResearchStatus as R

STAGES = {
    "concept": ("Concept", {R.CONCEPT_SUBMITTED, R.CONCEPT_REVIEW}),
    "full_proposal": ("Full proposal", {R.FULL_PROPOSAL_INVITED, R.FULL_PROPOSAL_SUBMITTED}),
    "scientific_review": ("Scientific review (with information requests)", {R.SCIENTIFIC_REVIEW,
                                                                          R.INFORMATION_REQUESTED}),
    "agreement": ("Research agreement", {R.APPROVED, R.AGREEMENT_SENT, R.AGREEMENT_SIGNED}),
    "study": ("Study under way", {R.ACTIVE, R.FINAL_REPORT_DUE}),
    "closed": ("Closed (declined, withdrawn, closed or terminated)",
               {R.CONCEPT_DECLINED, R.DECLINED, R.WITHDRAWN, R.CLOSED, R.TERMINATED}),
}


class StageFilter(admin.SimpleListFilter):
    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in STAGES.items()] + [
            (status.value, status.label) for status in R if status != R.CONCEPT_DRAFT
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in STAGES:
            return queryset.filter(status__in=STAGES[value][1])
        if value in R.values:
            return queryset.filter(status=value)
        return queryset


class WaitingOnFilter(admin.SimpleListFilter):
    title = "waiting on"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("staff", "Staff"), ("investigator", "The investigator")]

    def queryset(self, request, queryset):
        if self.value() == "staff":
            return queryset.filter(status__in=AWAITING_STAFF)
        if self.value() == "investigator":
            return queryset.filter(status__in=APPLICANT_TURN)
        return queryset


class MyReviewsFilter(admin.SimpleListFilter):
    """A committee member's own queue: the proposals they are assigned to and have not reviewed yet."""

    title = "my reviews"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("to_review", "Assigned to me, not yet reviewed")]

    def queryset(self, request, queryset):
        if self.value() != "to_review":
            return queryset
        done = ResearchReview.objects.filter(reviewer=request.user, submitted_at__isnull=False).values("proposal")
        return queryset.filter(assignments__reviewer=request.user, status__in=REVIEWABLE).exclude(pk__in=done)


DOCUMENTS = {"protocol": ("protocol", "protocol_original_name", "protocol_content_type"),
             "cv": ("pi_cv", "pi_cv_original_name", "pi_cv_content_type")}  # fmt: skip


@admin.register(ResearchProposal)
class ResearchProposalAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ("reference_link", "institution", "title", "study_type", "therapeutic_area", "status",
                    "days_in_status", "full_proposal_due_on")  # fmt: skip
    list_display_links = None
    list_filter = (StageFilter, "study_type", "therapeutic_area", WaitingOnFilter, MyReviewsFilter)
    search_fields = ("reference", "title", "pi_name", "organisation__legal_name")
    search_help_text = "Search by reference, study title, principal investigator or institution."
    ordering = ("submitted_at", "pk")
    list_per_page = 50
    show_full_result_count = False
    # The queue's CSV and XLSX export (reviews/exports/), for exactly the rows its filters select.
    export_columns = (
        Column("Reference", "reference"),
        Column("Institution", "organisation__legal_name"),
        Column("Study title", "title"),
        Column("Principal investigator", "pi_name"),
        Column("Type of study", "study_type"),
        Column("Therapeutic area", "therapeutic_area"),
        Column("Status", "status"),
        Column("In status since", "status_changed_at"),
        Column("Concept submitted", "submitted_at"),
        Column("Full proposal due", "full_proposal_due_on"),
        Column("Full proposal submitted", "full_proposal_submitted_at"),
        Column("Estimated budget", "estimated_budget", kind=MONEY),
        Column("Approved amount", "approved_amount", kind=MONEY),
    )

    # Every staff role reads the research queue; moves are checked by the workflow's table.
    def has_module_permission(self, request):
        return bool(staff_roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(staff_roles_of(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return admin_actions.staff_proposals().select_related("organisation")

    @admin.display(description="reference", ordering="reference")
    def reference_link(self, obj):
        return format_html('<a href="{}">{}</a>', admin_actions.proposal_page_url(obj), obj.display_reference)

    @admin.display(description="institution", ordering="organisation__legal_name")
    def institution(self, obj):
        return obj.organisation.legal_name

    @admin.display(description="days in status", ordering="status_changed_at")
    def days_in_status(self, obj):
        return max((timezone.now() - obj.status_changed_at).days, 0)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not str(object_id).isdigit():
            raise Http404("No such research proposal.")
        proposal = get_object_or_404(self.get_queryset(request).select_related("created_by"), pk=int(object_id))
        return self.proposal_page(request, proposal)

    def proposal_page(self, request, proposal, **bound):
        """The page; ``bound`` holds review and message forms that came back with errors (answered 200)."""
        roles = staff_roles_of(request.user)
        if not roles:
            raise Http404("No such research proposal.")
        moves = [
            {
                "label": rule.label,
                "url": reverse("admin:research_researchproposal_action", args=[proposal.pk, rule.name]),
            }
            for rule in available_transitions(proposal, request.user, roles=roles)
            if rule.roles - {Role.APPLICANT}
        ]
        labels = dict(ConceptDeclineReason.choices)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": f"{proposal.display_reference} · {proposal.title}",
            "proposal": proposal, "original": proposal, "moves": moves,
            "log": ResearchStatusChange.objects.filter(proposal=proposal).select_related("actor"),
            "budget_lines": proposal.budget_lines.all(),
            "decline_reasons": [labels.get(code, code) for code in proposal.concept_decline_reasons],
            "proposal_decline_reasons": [ProposalDeclineReason(code).label for code in proposal.decision_reasons
                                         if code in ProposalDeclineReason.values],
            "milestones": proposal.milestones.all(),
            **admin_review.review_context(request, proposal, bound),
            "post_award": admin_post_award.post_award_panels(proposal, request.user, roles),
        }  # fmt: skip
        if bound:
            context["title"] = f"Error: {context['title']}"
        return TemplateResponse(request, "admin/research/proposal_page.html", context)

    def document(self, request, pk, kind):
        if kind not in DOCUMENTS or not self.has_view_permission(request):
            raise Http404("No such document.")
        proposal = get_object_or_404(self.get_queryset(request), pk=pk)
        field, name, content_type = DOCUMENTS[kind]
        return file_download(getattr(proposal, field), getattr(proposal, name), getattr(proposal, content_type) or None)

    def post_award_document(self, request, pk, kind, item):
        if not self.has_view_permission(request):
            raise Http404("No such document.")
        return admin_post_award.staff_download(request, pk, kind, item)

    def get_urls(self):
        def staff_view(view):
            def call(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(call)

        return [
            path("<int:pk>/actions/<slug:name>/", staff_view(admin_actions.action_page),
                 name="research_researchproposal_action"),
            path("<int:pk>/documents/<slug:kind>/", self.admin_site.admin_view(self.document),
                 name="research_researchproposal_document"),
            # The scientific review and the conversation (research/admin_review.py).
            path("<int:pk>/review/assign/", staff_view(admin_review.assign), name="research_researchproposal_assign"),
            path("<int:pk>/review/unassign/<int:assignment_pk>/", staff_view(admin_review.unassign),
                 name="research_researchproposal_unassign"),
            path("<int:pk>/review/conflict/", staff_view(admin_review.conflict),
                 name="research_researchproposal_conflict"),
            path("<int:pk>/review/score/", staff_view(admin_review.score), name="research_researchproposal_score"),
            path("<int:pk>/messages/", staff_view(admin_review.send_message), name="research_researchproposal_message"),
            path("<int:pk>/messages/<int:message_pk>/attachment/", staff_view(admin_review.message_attachment),
                 name="research_researchproposal_message_attachment"),
            path("<int:pk>/post-award/<slug:kind>/<int:item>/", self.admin_site.admin_view(self.post_award_document),
                 name="research_researchproposal_post_award_document"),
        ] + super().get_urls()  # fmt: skip


@admin.register(ResearchAgreementTemplate)
class ResearchAgreementTemplateAdmin(AgreementTemplateAdmin):
    """The research agreement's wording, versioned as the IME letter's is (same page, same rules: a version
    agreements were issued from is read-only). Who may do what follows the roles directly, as the research
    queue does: the administrator writes versions, coordinators read them."""

    def placeholder_list(self):
        return PLACEHOLDERS.items()

    def _roles(self, request):
        return staff_roles_of(request.user)

    def has_module_permission(self, request):
        return bool(self._roles(request) & {Role.COORDINATOR, Role.ADMINISTRATOR})

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return Role.ADMINISTRATOR in self._roles(request)

    def has_change_permission(self, request, obj=None):
        return Role.ADMINISTRATOR in self._roles(request)
