"""The outbox and the inquiries are listed by their own apps' admins (outbox/, portal/), which sit below
the staff side and cannot use its exports; here the same admins get them, by declaring their columns.
reviews/admin.py registers them in place of the originals."""

from outbox.admin import EmailAdmin
from outbox.models import Email
from portal.admin import InquiryAdmin
from portal.models import Inquiry

from .exports.columns import YES_NO, Column
from .exports.mixin import ExportMixin


class ExportableEmailAdmin(ExportMixin, EmailAdmin):
    # Never the bodies: they may carry a one-time link (outbox/secrets.py), and staff read them only
    # through the admin, which hides such links.
    export_columns = (
        Column("Created", "created_at"),
        Column("Subject", "subject"),
        Column("To", "to"),
        Column("Template", "template"),
        Column("Status", "status"),
        Column("Attempts", "attempts"),
        Column("Last error", "last_error"),
        Column("Sent", "sent_at"),
        Column("Carries a one-time link", "carries_secret", kind=YES_NO),
    )


class ExportableInquiryAdmin(ExportMixin, InquiryAdmin):
    export_columns = (
        Column("Received", "created_at"),
        Column("Name", "name"),
        Column("Email", "email"),
        Column("Organization", "organisation"),
        Column("Subject", "subject"),
        Column("Message", "message"),
        Column("Status", "status"),
        Column("Staff notes", "staff_notes"),
    )


EXPORTING_ADMINS = {Email: ExportableEmailAdmin, Inquiry: ExportableInquiryAdmin}
