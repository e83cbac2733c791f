"""Domain models.  Importing this package registers every table on ``Model.metadata``."""

from app.hostlink.models import ImportRun, JobRun, ProcessLock  # noqa: F401
from app.letters.models import MassMailingItem, MassMailingRun  # noqa: F401
from app.models.audit import AccessLog
from app.models.history import ChangeLog
from app.models.issuance import ControlNumberCounter, Issuance
from app.models.office import Office
from app.models.pass_indexes import FY_ISSUED, RETURNED_OPEN  # noqa: F401
from app.models.resident import Resident
from app.models.security import AccessLogPolicy, LoginAttempt, UserSession  # noqa: F401
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
