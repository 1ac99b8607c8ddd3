"""Import of a whole tenant from an export directory into an EMPTY municipality of the same code.

Order: the target must hold no resident data; the manifest must agree with the files (checksums, counts);
every row must pass validation (all problems are reported at once).  Only then, in one transaction, the
rows are written in bulk with their original 宛名番号 / 世帯番号 / 履歴番号, the number sequences are
advanced past them, and the access log is restored with its hash chain, which is verified before commit.
If the chain was computed under another tenant id (another database), it is re-linked under this one and
the source's last hash is kept in the ``tenant_imported`` log row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, delete, select

from handlers.audit import GENESIS_HASH, record_access, row_hash
from handlers.audit_verify import verify_chain
from handlers.errors import DomainError
from handlers.permissions import require
from handlers.portability.bulk import BulkSink
from handlers.portability.export import SNAPSHOT_IDS
from handlers.portability.layout import SPEC_BY_NAME, FileSpec, file_name, login_source
from handlers.portability.rowfiles import read_rows
from handlers.portability.validation import (
    ImportProblem,
    ImportRefusedError,
    Manifest,
    RowValidator,
    read_manifest,
)
from handlers.rules.check_digit import m11w27_valid
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.audit import AccessLog, AccessLogHead
from models.certificate import CertificateIssuance
from models.removed import RemovedRecordArchive
from models.resident import Household, NumberSequence, Resident, ResidentHistory, ResidentMemo
from models.support import SupportMeasure
from models.suppression import Suppression
from models.user import User

CHUNK_ROWS = 20_000
SEQUENCE_TABLE = cast(Table, NumberSequence.__table__)
RESIDENT_DATA = (Resident, Household, ResidentHistory, ResidentMemo, RemovedRecordArchive, SupportMeasure,
                 Suppression, CertificateIssuance, AccessLog)  # fmt: skip


class TenantNotEmptyError(DomainError):
    code = "tenant_not_empty"
    status = 409


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    chain_relinked: bool = False
    chain_rows_verified: int = 0


@dataclass
class _Ids:
    """Business key → new database id, filled as the files are written."""

    households: dict[str, int] = field(default_factory=dict)
    residents: dict[str, int] = field(default_factory=dict)
    measures: dict[int, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    heads: list[tuple[int, int]] = field(default_factory=list)
    pending_heads: list[tuple[int, str]] = field(default_factory=list)


def _refuse_unless_empty(uow: UnitOfWork) -> None:
    for model in RESIDENT_DATA:
        if uow.session.scalars(select(model.id).limit(1)).first() is not None:
            raise TenantNotEmptyError(
                f"取り込み先の団体には既にデータ（{model.__tablename__}）があります。空の団体にだけ取り込めます。"
            )


def _target(uow_factory: Callable[[], AbstractContextManager[UnitOfWork]]) -> tuple[str, int, dict[str, int]]:
    with uow_factory() as uow:
        require(uow.actor, "export.run")
        _refuse_unless_empty(uow)
        code = municipality_of(uow.session, uow.actor.tenant_id).code
        users = {login: uid for login, uid in uow.session.execute(select(User.login_id, User.id))}
        return code, uow.actor.tenant_id, users


def import_tenant(
    uow_factory: Callable[[], AbstractContextManager[UnitOfWork]], directory: Path | str
) -> ImportReport:
    """Check everything, then write everything in one transaction (or nothing)."""
    started = time.perf_counter()
    source = Path(directory)
    code, tenant_id, users = _target(uow_factory)
    manifest = read_manifest(source, code)
    problems = RowValidator(manifest, set(users)).run(source)
    if problems:
        raise ImportRefusedError(problems, "データに誤りがあるため取り込みを中止しました")
    report = ImportReport()
    with uow_factory() as uow:
        _refuse_unless_empty(uow)
        ids = _Ids(users=users)
        writer = _Writer(BulkSink(uow.session.connection()), tenant_id, ids, manifest, source)
        report.counts = writer.write_all()
        report.chain_relinked = manifest.chain_tenant_id != tenant_id
        _finish_chain(uow, writer, report)
        record_access(uow, "tenant_imported", "batch", detail={
            "rows": report.counts, "source_last_hash": writer.source_last_hash,
            "chain_relinked": report.chain_relinked})  # fmt: skip
    report.seconds = time.perf_counter() - started
    return report


def _finish_chain(uow: UnitOfWork, writer: _Writer, report: ImportReport) -> None:
    session = uow.session
    head = session.get(AccessLogHead, writer.tenant_id)
    if head is None:
        head = AccessLogHead(tenant_id=writer.tenant_id)
        session.add(head)
    head.last_seq, head.last_hash = writer.last_seq, writer.last_hash
    session.flush()
    result = verify_chain(session, writer.tenant_id)
    if not result.ok:
        problems = [ImportProblem("access_log", b.seq, "", b.message) for b in result.breaks]
        raise ImportRefusedError(problems, "取り込んだアクセスログのハッシュチェーンを検証できませんでした")
    report.chain_rows_verified = result.rows_checked


class _Writer:
    def __init__(self, sink: BulkSink, tenant_id: int, ids: _Ids, manifest: Manifest, source: Path) -> None:
        self.sink, self.tenant_id, self.ids = sink, tenant_id, ids
        self.manifest, self.source = manifest, source
        self.relink = manifest.chain_tenant_id != tenant_id
        self.last_seq, self.last_hash, self.source_last_hash = 0, GENESIS_HASH, GENESIS_HASH
        self.sequences: dict[str, int] = {}

    def rows(self, spec: FileSpec) -> Iterator[dict[str, Any]]:
        path = self.source / file_name(spec, self.manifest.fmt)
        for row in read_rows(path, spec, self.manifest.fmt):
            yield row.values

    def write_all(self) -> dict[str, int]:
        counts = {}
        for name in ("households", "residents", "resident_history", "resident_memos", "removed_record_archive",
                     "support_measures", "support_measure_parties", "suppressions", "certificate_issuances",
                     "access_log"):  # fmt: skip
            counts[name] = self.write_file(SPEC_BY_NAME[name])
        self.sink.set_heads(self.ids.heads + [(h, self.ids.residents[a]) for h, a in self.ids.pending_heads])
        counts["number_sequences"] = self.write_sequences()
        self.sink.analyze([SPEC_BY_NAME[name].model.__tablename__ for name, rows in counts.items() if rows])
        return counts

    def write_file(self, spec: FileSpec) -> int:
        table = spec.model.__tablename__
        count = 0
        chunk: list[dict[str, Any]] = []
        for values in self.rows(spec):
            chunk.append(values)
            if len(chunk) >= CHUNK_ROWS:
                count += self.write_chunk(spec, table, chunk)
                chunk = []
        return count + self.write_chunk(spec, table, chunk)

    def write_chunk(self, spec: FileSpec, table: str, chunk: list[dict[str, Any]]) -> int:
        if not chunk:
            return 0
        new_ids = self.sink.ids(table, len(chunk))
        rows = [self.to_db(spec, values, new_id) for values, new_id in zip(chunk, new_ids, strict=True)]
        columns = tuple(rows[0])
        self.sink.insert(table, columns, (tuple(r[c] for c in columns) for r in rows))
        return len(rows)

    def to_db(self, spec: FileSpec, values: dict[str, Any], new_id: int) -> dict[str, Any]:
        row: dict[str, Any] = {"id": new_id, "tenant_id": self.tenant_id}
        for column in spec.columns:
            if column.reference == "users.login_id":
                row[login_source(column.name)] = (
                    self.ids.users.get(values[column.name]) if values[column.name] else None
                )
            elif column.reference is None:
                row[column.name] = values[column.name]
        getattr(self, f"_link_{spec.name}", lambda *_: None)(row, values)
        return row

    def _link_households(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.ids.households[values["household_number"]] = row["id"]
        row["head_resident_id"] = None
        if values["head_atena_number"] is not None:
            self.ids.pending_heads.append((row["id"], values["head_atena_number"]))

    def _link_residents(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.ids.residents[values["atena_number"]] = row["id"]
        row["household_id"] = self.ids.households[values["household_number"]]

    def _link_resident_history(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        resident_id = self.ids.residents.get(values["atena_number"])
        row["resident_id"] = resident_id
        household_id = self.ids.households.get(values["household_number"])
        row["snapshot"] = {SNAPSHOT_IDS[0]: resident_id, SNAPSHOT_IDS[1]: household_id, **values["snapshot"]}

    def _link_resident_memos(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        row["resident_id"] = self.ids.residents.get(values["atena_number"])

    def _link_support_measures(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.ids.measures[values["measure_no"]] = row["id"]

    def _link_support_measure_parties(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        row["measure_id"] = self.ids.measures[values["measure_no"]]
        atena = values["resident_atena_number"]
        row["resident_id"] = self.ids.residents[atena] if atena is not None else None

    def _link_access_log(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.source_last_hash = values["hash"]
        if self.relink:
            row["prev_hash"] = self.last_hash
            row["hash"] = row_hash(SimpleNamespace(**row))  # type: ignore[arg-type]
        self.last_seq, self.last_hash = row["seq"], row["hash"]

    def write_sequences(self) -> int:
        """The file's counters, advanced past every 宛名番号 / 世帯番号 actually used."""
        counters = {v["name"]: v["next_value"] for v in self.rows(SPEC_BY_NAME["number_sequences"])}
        for name, numbers in (("atena", self.ids.residents), ("household", self.ids.households)):
            used = [int(n[:-1]) for n in numbers if m11w27_valid(n)]
            counters[name] = max(counters.get(name, 1), max(used, default=0) + 1)
        rows = [{"name": n, "next_value": v} for n, v in sorted(counters.items())]
        self.sink.conn.execute(delete(SEQUENCE_TABLE).where(SEQUENCE_TABLE.c.tenant_id == self.tenant_id))
        if rows:
            new_ids = self.sink.ids("number_sequence", len(rows))
            self.sink.insert("number_sequence", ("id", "tenant_id", "name", "next_value"),
                             [(i, self.tenant_id, r["name"], r["next_value"]) for i, r in zip(new_ids, rows, strict=True)])  # fmt: skip
        return len(rows)
