"""SQLAlchemy 2 typed models.  Importing this package registers every table on ``Base.metadata``."""

from models.address_dictionary import AddressEntry
from models.api_token import ApiToken
from models.audit import AccessLog, AccessLogHead
from models.base import Base, TenantScoped
from models.case import Case, CaseEvent, CaseTask, PendingTimer, ProcessDefinition, WorkflowState
from models.certificate import CertificateIssuance
from models.change import OutboxMessage, PendingChange, SubjectLock
from models.flow import CaseMigration, FlowScenario, MigrationJob
from models.immigration_notice import ImmigrationNotice
from models.input_place import InputPlace, InputTerminal
from models.integration import IntegrationDestination
from models.juki_net import (
    CardDestinationSent,
    CardMailingResidence,
    CodeRequest,
    CsConsistencyCheck,
    CsConsistencyMismatch,
    CsPersonRequest,
    CsReceivedFile,
)
from models.katagaki import Katagaki
from models.kiosk import KioskRequest
from models.koseki_notice_inbox import KosekiNoticeInbox
from models.other_systems import OtherSystemRegistration, PlatformFileReceipt
from models.rate_limit import RateLimitWindow
from models.relay import RelayInbox
from models.removed import RemovedRecordArchive
from models.reporting import (
    BatchRun,
    BatchSchedule,
    BulkAddressChange,
    BulkAddressNotice,
    CsvImport,
    CsvImportRow,
    ExtractionJob,
)
from models.resident import (
    CautionTemplate,
    Household,
    NumberSequence,
    Resident,
    ResidentHistory,
    ResidentMemo,
    ResidentRemark,
    ResidentSearchKey,
)
from models.resident_code_pool import ResidentCodePoolEntry
from models.support import SupportMeasure, SupportMeasureParty
from models.suppression import DisclosureRelease, Suppression, TemporaryLift
from models.tenant import Municipality, Ward
from models.user import User
from models.wide_area import WideAreaRequest

__all__ = [
    "AccessLog",
    "AddressEntry",
    "AccessLogHead",
    "ApiToken",
    "Base",
    "BatchRun",
    "BatchSchedule",
    "BulkAddressChange",
    "BulkAddressNotice",
    "Case",
    "CardDestinationSent",
    "CardMailingResidence",
    "CaseEvent",
    "CaseMigration",
    "CaseTask",
    "CertificateIssuance",
    "CodeRequest",
    "CsPersonRequest",
    "CsConsistencyCheck",
    "CsConsistencyMismatch",
    "CsReceivedFile",
    "CsvImport",
    "CsvImportRow",
    "DisclosureRelease",
    "ExtractionJob",
    "FlowScenario",
    "Household",
    "ImmigrationNotice",
    "InputPlace",
    "InputTerminal",
    "IntegrationDestination",
    "Katagaki",
    "KioskRequest",
    "KosekiNoticeInbox",
    "OtherSystemRegistration",
    "PlatformFileReceipt",
    "MigrationJob",
    "Municipality",
    "PendingTimer",
    "ProcessDefinition",
    "RateLimitWindow",
    "NumberSequence",
    "OutboxMessage",
    "PendingChange",
    "RelayInbox",
    "RemovedRecordArchive",
    "Resident",
    "ResidentCodePoolEntry",
    "ResidentHistory",
    "ResidentMemo",
    "ResidentRemark",
    "ResidentSearchKey",
    "CautionTemplate",
    "SupportMeasure",
    "SubjectLock",
    "SupportMeasureParty",
    "Suppression",
    "TemporaryLift",
    "TenantScoped",
    "User",
    "Ward",
    "WideAreaRequest",
    "WorkflowState",
]
