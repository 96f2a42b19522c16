"""The workflow engine: one door through which every status change of every kind of request passes.

A kind of request (IME grant request today, research proposal later) declares a ``Workflow``: its
states with their flags, and a table of ``Transition`` rows. Each row says who may make the move,
what input it needs, which records it writes (its ``effect``) and which event it raises (whose
emails the kind's ``notify`` queues). ``perform()`` does all of it in one transaction, under a row
lock, after a stale-click check, and writes the audit entry. Nothing else writes a status.

    perform(grant_request, "request_information", by=coordinator,
            message="Please add the agenda.", sections=["attachments"])

A kind registers its workflow for its model class (``register``), so the engine finds the table from
the object it is given and serves any number of kinds without change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .roles import roles_of as default_roles_of


class TransitionError(Exception):
    """A transition that may not happen; the message is written for the person who tried."""


class IllegalTransition(TransitionError):
    pass


class NotAllowed(TransitionError):
    pass


class AlreadyMoved(TransitionError):
    pass


class MissingInput(TransitionError):
    """The move needs input (a note, an amount, reasons…) that was not supplied: nothing happened."""


# Kept for callers that catch the old name: a required note is a required input.
NoteRequired = MissingInput


@dataclass(frozen=True)
class State:
    """A state and the flags every screen and rule reads, instead of keeping lists of its own."""

    value: str
    awaiting_staff: bool = False  # staff have the next move
    applicant_turn: bool = False  # the applicant has the next move
    undecided: bool = False  # submitted, no decision yet: withdrawable, reviewers assignable
    applicant_editable: bool = False  # the applicant may change the request's content
    conversation_open: bool = True  # messages may be exchanged
    terminal: bool = False  # nothing can happen after it


@dataclass(frozen=True)
class Input:
    """One piece of input a transition needs. ``required`` inputs must be present and non-empty."""

    name: str
    required: bool = True


@dataclass(frozen=True)
class Move:
    """What an effect is given: the locked object, who acts, the validated input and the audit row."""

    subject: object
    actor: object
    inputs: dict
    log_entry: object


# A row whose target is STAY records an event in the audit log (an agreement signed by the applicant,
# an instalment paid, a change request filed) without moving the request: from and to are the same.
STAY = None


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str | None
    roles: frozenset
    label: str
    inputs: tuple[Input, ...] = ()
    # Checks the input against the locked object; raises ValidationError with words for the actor.
    check: Callable | None = None
    # Writes the records the move implies; returns them by name for the event's emails.
    effect: Callable | None = None
    event: str | None = None
    # The input whose text becomes the audit note (default: "note").
    note_input: str = "note"
    # Notes on internal hand-offs (screening → medical review…) are for staff; the rest the applicant reads.
    applicant_sees_note: bool = True
    # Who may not make the move even with the role (a conflict of interest…): returns the reason or None.
    guard: Callable | None = None
    # What the confirmation page tells staff beyond the move and the emails.
    explains: tuple[str, ...] = ()

    @property
    def input_names(self) -> set[str]:
        return {i.name for i in self.inputs}

    @property
    def moves(self) -> bool:
        """False for a row that records an event and leaves the status where it is."""
        return self.target is not STAY

    def target_from(self, current: str) -> str:
        return current if self.target is STAY else self.target


def row(name, sources, target, roles, label, **options) -> Transition:
    sources = frozenset([sources] if isinstance(sources, str) else sources)
    explains = options.pop("explains", ())
    explains = (explains,) if isinstance(explains, str) else tuple(explains)
    return Transition(name, sources, target, frozenset(roles), label, explains=explains, **options)


@dataclass
class Workflow:
    """One kind's table. ``log_model`` is its audit log; ``log_subject`` the log's foreign key name."""

    kind: str
    states: list[State]
    transitions: list[Transition]
    log_model: type
    log_subject: str
    notify: Callable | None = None
    roles_of: Callable = default_roles_of
    status_field: str = "status"
    by_name: dict = field(init=False)
    state: dict = field(init=False)

    def __post_init__(self):
        self.by_name = {t.name: t for t in self.transitions}
        self.state = {s.value: s for s in self.states}
        unknown = {t.target for t in self.transitions if t.moves} | {s for t in self.transitions for s in t.sources}
        missing = unknown - set(self.state)
        if missing:
            raise ValueError(f"{self.kind}: transitions use undeclared states {sorted(missing)}")

    def states_where(self, flag: str) -> frozenset:
        return frozenset(s.value for s in self.states if getattr(s, flag))

    def available(self, subject, user, roles=None) -> list[Transition]:
        """The moves ``user`` may make now; pass ``roles`` when the caller already has them."""
        if roles is None:
            roles = self.roles_of(user, subject)
        status = getattr(subject, self.status_field)
        return [
            t for t in self.transitions
            if status in t.sources and roles & t.roles and not (t.guard and t.guard(subject, user, roles))
        ]  # fmt: skip


_REGISTRY: dict[type, Workflow] = {}


def register(model, workflow: Workflow) -> None:
    _REGISTRY[model] = workflow


def workflow_of(subject) -> Workflow:
    for cls in type(subject).__mro__:
        if cls in _REGISTRY:
            return _REGISTRY[cls]
    raise LookupError(f"No workflow is registered for {type(subject).__name__}.")


def available_transitions(subject, user, roles=None) -> list[Transition]:
    return workflow_of(subject).available(subject, user, roles)


def why_not(subject, user, rule: Transition, roles=None) -> str | None:
    """Why ``user`` may not make ``rule`` now, in words for them; None when they may."""
    flow = workflow_of(subject)
    roles = flow.roles_of(user, subject) if roles is None else roles
    status = getattr(subject, flow.status_field)
    if status not in rule.sources:
        return f"“{rule.label}” is not possible while the request is {_display(subject, flow).lower()}."
    if not roles & rule.roles:
        return f"You do not have a role that may “{rule.label.lower()}” this request."
    return rule.guard(subject, user, roles) if rule.guard else None


def _clean_inputs(rule: Transition, inputs: dict) -> dict:
    unknown = set(inputs) - rule.input_names
    if unknown:
        raise MissingInput(f"“{rule.label}” takes no {', '.join(sorted(unknown))}.")
    for spec in rule.inputs:
        value = inputs.get(spec.name)
        empty = value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()
        if spec.required and empty:
            raise MissingInput(f"“{rule.label}” needs {spec.name.replace('_', ' ')}: nothing was changed.")
    return {spec.name: inputs.get(spec.name) for spec in rule.inputs}


def perform(subject, name: str, *, by, expected_status: str | None = None, **inputs):
    """Make the named transition with all its effects, or nothing at all.

    ``expected_status`` is the status the actor saw; if someone moved the object meanwhile the call is
    refused with who did it, instead of applying a decision made on stale information. Returns the
    audit entry; the records the effect wrote are on ``entry.records``.
    """
    flow = workflow_of(subject)
    rule = flow.by_name.get(name)
    if rule is None:
        raise IllegalTransition(f"Unknown action “{name}”.")
    inputs = _clean_inputs(rule, inputs)
    model = type(subject)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=subject.pk)
        current = getattr(locked, flow.status_field)
        if expected_status is not None and current != expected_status:
            last = flow.log_model.objects.filter(**{flow.log_subject: locked}).select_related("actor").last()
            who = last.actor_display if last else "someone else"
            raise AlreadyMoved(
                f"This request was already moved to “{_display(locked, flow)}” by {who}; nothing was changed."
            )
        if current not in rule.sources:
            raise IllegalTransition(
                f"“{rule.label}” is not possible while the request is {_display(locked, flow).lower()}."
            )
        roles = flow.roles_of(by, locked)
        if not roles & rule.roles:
            raise NotAllowed(f"You do not have a role that may “{rule.label.lower()}” this request.")
        refusal = rule.guard(locked, by, roles) if rule.guard else None
        if refusal:
            raise NotAllowed(refusal)
        if rule.check is not None:
            rule.check(locked, inputs)
        note = inputs.get(rule.note_input) or ""
        entry = flow.log_model.objects.create(
            **{flow.log_subject: locked}, transition=name, from_status=current, to_status=rule.target_from(current),
            actor=by, note=note if isinstance(note, str) else "",
        )  # fmt: skip
        if rule.moves:
            setattr(locked, flow.status_field, rule.target)
            locked.status_changed_at = timezone.now()
        # The effect may set more fields on the row (a reference, an amount) before the one save, so
        # database constraints see a consistent row and the model's history records every change.
        records = rule.effect(Move(locked, by, inputs, entry)) if rule.effect else None
        locked.save()
        entry.records = records or {}
        if rule.event and flow.notify is not None:
            flow.notify(rule.event, locked, **{**inputs, **entry.records, "actor": by, "log_entry": entry})
    # The caller's instance reflects the move (status and whatever the effect changed on the row).
    for f in model._meta.concrete_fields:
        setattr(subject, f.attname, getattr(locked, f.attname))
    return entry


def _display(obj, flow) -> str:
    return getattr(obj, f"get_{flow.status_field}_display")()


__all__ = [
    "STAY", "AlreadyMoved", "IllegalTransition", "Input", "MissingInput", "Move", "NotAllowed", "NoteRequired", "State",
    "Transition", "TransitionError", "ValidationError", "Workflow", "available_transitions", "perform", "register",
    "row", "workflow_of",
]  # fmt: skip
