"""Domain exceptions.  Their message is already translated for the screens."""


class DomainError(Exception):
    """A rule refused the operation; nothing was saved.

    :param message: a user-facing (translated) message.
    :param field: the form field the message belongs to, if any.
    """

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """Someone else changed the record in the meantime, or a double submission."""
