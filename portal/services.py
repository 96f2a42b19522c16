from django.conf import settings
from django.db import transaction

from outbox.services import queue_email

from .models import Inquiry


@transaction.atomic
def receive_inquiry(*, name, email, organisation, subject, message) -> Inquiry:
    """Store the inquiry, forward it to the IME mailbox and acknowledge it to the sender."""
    inquiry = Inquiry.objects.create(
        name=name, email=email, organisation=organisation, subject=subject, message=message
    )
    context = {"inquiry": inquiry, "mailbox": settings.IME_INQUIRY_MAILBOX}
    queue_email("inquiry_forward", settings.IME_INQUIRY_MAILBOX, context, reply_to=inquiry.email)
    queue_email("inquiry_acknowledgement", inquiry.email, context, reply_to=settings.IME_INQUIRY_MAILBOX)
    return inquiry
