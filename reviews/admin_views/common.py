"""What every staff page needs: the request it is about, permission checks and the admin's context."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from grants.models import GrantRequest
from grants.status import GrantStatus


def staff_requests():
    """Every request staff may open: all organisations', never an applicant's unsubmitted draft."""
    return GrantRequest.objects.exclude(status=GrantStatus.DRAFT)


def load_request(model_admin, request, pk, queryset=None):
    """The request, or 404; PermissionDenied for staff without the right to see requests."""
    grant_request = get_object_or_404(queryset if queryset is not None else staff_requests(), pk=pk)
    if not model_admin.has_view_permission(request, grant_request):
        raise PermissionDenied
    return grant_request


def request_page_url(grant_request) -> str:
    return reverse("admin:grants_grantrequest_change", args=[grant_request.pk])


def back_to_request(grant_request, anchor: str = ""):
    return redirect(request_page_url(grant_request) + (f"#{anchor}" if anchor else ""))


def admin_context(model_admin, request, title, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": GrantRequest._meta,
        "app_label": GrantRequest._meta.app_label,
        "title": title,
        **extra,
    }


def days_since(moment) -> int:
    return max((timezone.now() - moment).days, 0) if moment else 0


def relative_day(day) -> str:
    """How far ``day`` is from today, in words ("in 45 days", "tomorrow", "3 days ago"), to sit beside the date.

    (humanize's naturalday repeats the date itself for anything but yesterday, today and tomorrow.)"""
    days = (day - timezone.localdate()).days
    if days in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[days]
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def report_error(request, error) -> None:
    """Show a refusal from the workflow or a service as an admin error message."""
    text = "; ".join(error.messages) if hasattr(error, "messages") else str(error)
    messages.error(request, text)


def post_only(view):
    """Like require_POST, for views that take the ModelAdmin first."""

    @wraps(view)
    def inner(model_admin, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(model_admin, request, *args, **kwargs)

    return inner
