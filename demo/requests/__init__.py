"""Demo grant requests for `make run`, made after the demo applicant and staff, whom the workflow needs."""

from .catalogue import HISTORY_REQUESTS, NORTHEAST_REQUESTS, SECOND_ORGANISATION_REQUESTS
from .seeding import SECOND_APPLICANT_LOGIN, seed_demo_requests

__all__ = [
    "HISTORY_REQUESTS",
    "NORTHEAST_REQUESTS",
    "SECOND_APPLICANT_LOGIN",
    "SECOND_ORGANISATION_REQUESTS",
    "seed_demo_requests",
]
