"""Domain errors raised by services; every interface turns them into its own answer.

A view shows the message in the form or page, the API answers with the status code
and a JSON body ``{"error": code, "detail": message}``, admin shows a message.
"""


class DomainError(Exception):
    """A rule of the portal refused the action. Nothing was written."""

    status_code = 400
    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field


class StorageUnavailable(DomainError):
    """The file store refused a write (full disk, unreachable bucket). Nothing was saved."""

    status_code = 503
    code = "storage_unavailable"


class NotAllowed(DomainError):
    """The acting user may not do this (to this object)."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist, or the user may not know it does."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The action collides with the object's current state (e.g. already voted)."""

    status_code = 409
    code = "conflict"
