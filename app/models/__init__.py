"""Domain models.  Importing this package registers every table on ``Model.metadata``."""

from app.models.audit import AccessLog
from app.models.history import ChangeLog
from app.models.issuance import ControlNumberCounter, Issuance
from app.models.office import Office
from app.models.resident import Resident
from app.models.user import StaffUser

__all__ = [
    "AccessLog",
    "ChangeLog",
    "ControlNumberCounter",
    "Issuance",
    "Office",
    "Resident",
    "StaffUser",
]
