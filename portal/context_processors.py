from django.conf import settings


def portal(request):
    return {
        "IME_INQUIRY_MAILBOX": settings.IME_INQUIRY_MAILBOX,
        "IME_MIN_LEAD_DAYS": settings.IME_MIN_LEAD_DAYS,
        "IME_RECONCILIATION_DAYS": settings.IME_RECONCILIATION_DAYS,
        "IIS_FULL_PROPOSAL_DAYS": settings.IIS_FULL_PROPOSAL_DAYS,
        "IIS_MAX_OVERHEAD_PCT": settings.IIS_MAX_OVERHEAD_PCT,
        "IIS_SAFETY_REPORTING_CONTACT": settings.IIS_SAFETY_REPORTING_CONTACT,
        "IME_TRANSPARENCY_REPORT": settings.IME_TRANSPARENCY_REPORT,
    }
