from .agreements import Agreement, AgreementTemplate
from .attachments import Attachment
from .budgets import AnnualBudget, AreaBudget
from .changes import ChangeKind, ChangeRequest, ChangeStatus
from .organisations import Invitation, Membership, Organisation
from .payments import Payment, PaymentMethod, Refund
from .reconciliations import (
    DisclosureMethod,
    Reconciliation,
    ReconciliationDocument,
    ReconciliationDocumentKind,
    ReconciliationLine,
    ReconciliationSupport,
)
from .records import Decision, InformationRequest, Message, StatusChange
from .requests import BudgetLine, GrantRequest, LearningObjective, OtherSupporter, ReferenceCounter

__all__ = [
    "Agreement",
    "AgreementTemplate",
    "ChangeKind",
    "ChangeRequest",
    "ChangeStatus",
    "Payment",
    "PaymentMethod",
    "Refund",
    "DisclosureMethod",
    "Reconciliation",
    "ReconciliationDocument",
    "ReconciliationDocumentKind",
    "ReconciliationLine",
    "ReconciliationSupport",
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
