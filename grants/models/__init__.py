from .attachments import Attachment
from .budgets import AnnualBudget, AreaBudget
from .organisations import Invitation, Membership, Organisation
from .records import Decision, InformationRequest, Message, StatusChange
from .requests import BudgetLine, GrantRequest, LearningObjective, OtherSupporter, ReferenceCounter

__all__ = [
    "AnnualBudget",
    "AreaBudget",
    "Attachment",
    "BudgetLine",
    "Decision",
    "InformationRequest",
    "Message",
    "StatusChange",
    "GrantRequest",
    "Invitation",
    "LearningObjective",
    "Membership",
    "Organisation",
    "OtherSupporter",
    "ReferenceCounter",
]
