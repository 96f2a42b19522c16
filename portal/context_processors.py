from django.conf import settings


def portal(request):
    return {
        "IME_INQUIRY_MAILBOX": settings.IME_INQUIRY_MAILBOX,
        "IME_MIN_LEAD_DAYS": settings.IME_MIN_LEAD_DAYS,
        "IME_RECONCILIATION_DAYS": settings.IME_RECONCILIATION_DAYS,
        "IME_TRANSPARENCY_REPORT": settings.IME_TRANSPARENCY_REPORT,
    }
