from .attachments import Attachment
from .organisations import Invitation, Membership, Organisation
from .requests import BudgetLine, GrantRequest, LearningObjective, OtherSupporter, ReferenceCounter

__all__ = [
    "Attachment",
    "BudgetLine",
    "GrantRequest",
    "Invitation",
    "LearningObjective",
    "Membership",
    "Organisation",
    "OtherSupporter",
    "ReferenceCounter",
]
