"""Domain errors raised by services; views and the API map them to responses in one place.

Messages are translated when raised (``gettext``), so a Celery worker or an API client
gets the same Indonesian sentence a page would show.
"""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` says why, for the user."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor's role or region does not own this step."""

    status_code = 403


class InvalidTransition(DomainError):
    """The proposal is no longer in a state where this step applies (often: someone
    else acted first)."""

    status_code = 409


class Conflict(DomainError):
    """The action would break a uniqueness rule (one open proposal per KK, ...)."""

    status_code = 409
