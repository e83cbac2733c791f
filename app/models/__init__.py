"""Every feature's tables in one import.

Importing this package registers every table on ``Model.metadata`` (the
application factory and the migrations need them all); each table is defined
in its feature package's ``models`` module.
"""

from app.audit.models import AccessLog, AccessLogPolicy
from app.history.models import ChangeLog
from app.hostlink.models import ImportRun, ImportRunRejection
from app.letters.models import MassMailingItem, MassMailingRun
from app.mailing.models import MailStop, ReturnClearance
from app.march.models import MarchBatch, MarchBatchItem, MarchNumberCounter
from app.migration.models import ErasureRecord, MigratedPass, MigrationRun, MigrationRunItem
from app.notices.models import NewlyEligible, NoticeDetection, NoticeRun
from app.offices.models import Office
from app.passes.indexes import FY_ISSUED, ISSUED_ID, RESIDENT_ISSUED, RETURNED_OPEN
from app.passes.models import ControlNumberCounter, Issuance
from app.residents.models import Resident
from app.scheduler.models import JobRun, ProcessLock, apscheduler_jobs
from app.security.models import LoginAttempt, StaffUser, UserSession

__all__ = [
    "FY_ISSUED",
    "ISSUED_ID",
    "RESIDENT_ISSUED",
    "RETURNED_OPEN",
    "AccessLog",
    "AccessLogPolicy",
    "ChangeLog",
    "ErasureRecord",
    "ControlNumberCounter",
    "ImportRun",
    "ImportRunRejection",
    "Issuance",
    "JobRun",
    "LoginAttempt",
    "MailStop",
    "MarchBatch",
    "MarchBatchItem",
    "MarchNumberCounter",
    "MassMailingItem",
    "MassMailingRun",
    "MigratedPass",
    "MigrationRun",
    "MigrationRunItem",
    "NewlyEligible",
    "NoticeDetection",
    "NoticeRun",
    "Office",
    "ProcessLock",
    "Resident",
    "ReturnClearance",
    "StaffUser",
    "UserSession",
    "apscheduler_jobs",
]
