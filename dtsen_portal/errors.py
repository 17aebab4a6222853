"""The domain error base every app raises; views and the API map it to responses in one place.

Each app catalogues its user-facing messages in ``<app>/errors.py`` (one dict per area,
``gettext_lazy`` values) and its services raise from there, e.g.
``raise Conflict(PROPOSAL_ERRORS["kk_has_open_proposal"] % {"number": n}, field="kk_number")``.
The message is turned into text when the error is made, in the language active then, so a
Celery worker or an API client gets the same Indonesian sentence a page would show.
"""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` says why, for the user."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None):
        self.message = str(message)  # a lazy catalogue entry becomes text now, at raise time
        self.field = field
        super().__init__(self.message)


class NotAllowed(DomainError):
    """The actor's role or region does not own this step."""

    status_code = 403


class InvalidTransition(DomainError):
    """The record is no longer in a state where this step applies (often: someone
    else acted first)."""

    status_code = 409


class Conflict(DomainError):
    """The action would break a uniqueness rule (one open proposal per KK, ...)."""

    status_code = 409
