"""Import of a whole tenant from an export directory into an EMPTY municipality of the same code.

Order: the target must hold no resident data, no address dictionary and no 方書; the manifest must agree
with the files (checksums); then, in one transaction, every file is read once: each row is validated and, as
long as no problem has been found, written in bulk with its original 宛名番号 / 世帯番号 / 履歴番号 /
住所コード.  Once a problem is found nothing more is written, the rest is still validated, and the transaction
is rolled back with every problem reported — the import writes all or nothing, exactly as if validation had
come first.  The files' row counts are compared with the manifest after the pass (a mismatch refuses the
import as a manifest problem).  Then the number sequences are advanced past the numbers used (the address
dictionary has no counter: a new entry takes the number after the highest code), and the access log is
restored with its hash chain, which is verified before commit.  If the chain was computed under another
tenant id (another database), it is re-linked under this one and the source's last hash is kept in the
``tenant_imported`` log row.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import orjson
from sqlalchemy import Table, delete, select

from handlers.audit import GENESIS_HASH, record_access, row_hash
from handlers.audit_verify import verify_chain
from handlers.errors import DomainError
from handlers.permissions import require
from handlers.portability.bulk import BulkSink
from handlers.portability.copytext import RAW_SNAPSHOT, copy_field
from handlers.portability.export import SNAPSHOT_IDS
from handlers.portability.layout import SPEC_BY_NAME, SPECS, FileSpec, file_name, login_source
from handlers.portability.rowfiles import ReadRow, read_rows
from handlers.portability.validation import (
    ImportProblem,
    ImportRefusedError,
    Manifest,
    RowValidator,
    read_manifest,
    refuse_unless_counts_agree,
)
from handlers.residents.search_key_rows import fill_search_keys
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.address_dictionary import AddressEntry
from models.audit import AccessLog, AccessLogHead
from models.certificate import CertificateIssuance
from models.katagaki import Katagaki
from models.removed import RemovedRecordArchive
from models.resident import (
    CautionTemplate,
    Household,
    NumberSequence,
    Resident,
    ResidentHistory,
    ResidentMemo,
    ResidentRemark,
)
from models.snapshot import compact_snapshot_keeping_unknown
from models.support import SupportMeasure
from models.suppression import Suppression
from models.user import User

CHUNK_ROWS = 5_000  # rows per COPY: bounds the pass's memory (a history row with its parsed snapshot ≈ 15 kB)
WRITTEN_FILES = ("address_entries", "katagaki",
                 "households", "residents", "resident_history", "resident_memos", "resident_remarks",
                 "caution_templates", "removed_record_archive",
                 "support_measures", "support_measure_parties", "suppressions", "certificate_issuances",
                 "access_log")  # fmt: skip
SEQUENCE_TABLE = cast(Table, NumberSequence.__table__)
IMPORTED_DATA = (AddressEntry, Katagaki,  # the dictionary and 方書 too: imported as they are, never merged
                 Resident, Household, ResidentHistory, ResidentMemo, ResidentRemark, CautionTemplate,
                 RemovedRecordArchive, SupportMeasure,
                 Suppression, CertificateIssuance, AccessLog)  # fmt: skip


_DICTIONARY_NOTE = "住所辞書も取り込みで移行します（先に読み込んだ辞書があると取り込めません）。"


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
    for model in IMPORTED_DATA:
        if uow.session.scalars(select(model.id).limit(1)).first() is not None:
            raise TenantNotEmptyError(
                f"取り込み先の団体には既にデータ（{model.__tablename__}）があります。空の団体にだけ取り込めます。"
                + (_DICTIONARY_NOTE if model is AddressEntry else "")
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
    report = ImportReport()
    with uow_factory() as uow:
        _refuse_unless_empty(uow)
        ids = _Ids(users=users)
        writer = _Writer(BulkSink(uow.session.connection()), tenant_id, ids, manifest, source)
        with _cyclic_gc_paused():
            report.counts = writer.write_all()  # raises (and so rolls back) on any problem
        fill_search_keys(uow.session.connection(), tenant_id)  # derived from the history: never exported
        report.chain_relinked = manifest.chain_tenant_id != tenant_id
        _finish_chain(uow, writer, report)
        record_access(uow, "tenant_imported", "batch", detail={
            "rows": report.counts, "source_last_hash": writer.source_last_hash,
            "chain_relinked": report.chain_relinked})  # fmt: skip
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The pass allocates millions of short-lived rows and no reference cycles: the cyclic collector would
    only re-scan them (measured: a third of the decoding time).  Reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


def _columns_of(spec: FileSpec) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    return _columns_named(spec.name)


@cache
def _columns_named(name: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The file's columns written as they are, its login columns (→ user id column) and its JSON columns
    (cached by file name: hashing a FileSpec hashes every column)."""
    spec = SPEC_BY_NAME[name]
    plain = tuple(c.name for c in spec.columns if c.reference is None)
    logins = tuple((c.name, login_source(c.name)) for c in spec.columns if c.reference == "users.login_id")
    documents = tuple(c.name for c in spec.columns if c.kind == "json" and c.reference is None)
    if spec.name == "resident_history":
        documents = tuple(name for name in documents if name != "snapshot")  # see _link_resident_history
    return plain, logins, documents


@cache
def _copy_names(name: str) -> tuple[str, ...]:
    """The plain columns of a ``COPY`` line (``to_copy_line``): the snapshot is a linked column."""
    plain, _logins, _documents = _columns_named(name)
    return tuple(column for column in plain if (name, column) != RAW_SNAPSHOT)


class _Writer:
    def __init__(self, sink: BulkSink, tenant_id: int, ids: _Ids, manifest: Manifest, source: Path) -> None:
        self.sink, self.tenant_id, self.ids = sink, tenant_id, ids
        self.manifest, self.source = manifest, source
        self.relink = manifest.chain_tenant_id != tenant_id
        self.validator = RowValidator(manifest, set(ids.users), copy_text=sink.postgres)
        self.last_seq, self.last_hash, self.source_last_hash = 0, GENESIS_HASH, GENESIS_HASH
        self.sequences: dict[str, int] = {}
        self.read = ReadRow(0, {}, [])  # the row being converted
        self.link_columns: tuple[str, ...] = ()  # of the last COPY line: id, tenant_id, user ids, links

    def rows(self, spec: FileSpec) -> Iterator[dict[str, Any]]:
        path = self.source / file_name(spec, self.manifest.fmt)
        for row in read_rows(path, spec, self.manifest.fmt):
            yield row.values

    def write_all(self) -> dict[str, int]:
        """Read, validate and (while no problem has been found) write every file, in the layout's order;
        refuse the import if any row or count is wrong."""
        written = {}
        validator = self.validator
        try:
            for spec in SPECS:
                rows = validator.rows(self.source, spec)
                if spec.name == "number_sequences":  # written last, past every number used
                    for _row in rows:
                        pass
                    continue
                written[spec.name] = self.write_file(spec, rows)
        finally:
            self.sink.wait()  # the last COPY, before anything else (a rollback too) uses the connection
        counts = {name: written[name] for name in WRITTEN_FILES}
        problems = validator.finish()
        refuse_unless_counts_agree(self.manifest, validator.counts)
        if problems:
            raise ImportRefusedError(problems, "データに誤りがあるため取り込みを中止しました")
        self.sink.set_heads(self.ids.heads + [(h, self.ids.residents[a]) for h, a in self.ids.pending_heads])
        counts["number_sequences"] = self.write_sequences()
        self.sink.analyze([SPEC_BY_NAME[name].model.__tablename__ for name, rows in counts.items() if rows])
        return counts

    def write_file(self, spec: FileSpec, rows: Iterator[ReadRow]) -> int:
        """Convert each row as soon as it is read and checked (a chunk holds its database rows, not the read
        ones) and write them by chunks while no problem has been found anywhere (then only count).  The next
        chunk's ids are taken before a chunk's COPY starts, so converting the next rows overlaps it."""
        table = spec.model.__tablename__
        stated = self.manifest.files[spec.name].get("rows")
        expected = stated if isinstance(stated, int) else 0  # (a wrong count is refused after the pass)
        convert = self.to_copy_line if self.sink.postgres else self.to_db
        self.link_columns = ()
        count, chunk, ids = 0, [], self._ids_for(table, expected)
        for row in rows:
            count += 1
            if self.validator.problems:
                continue
            new_id = next(ids, None)
            if new_id is None:  # more rows than the manifest states
                ids = self._ids_for(table, CHUNK_ROWS)
                new_id = next(ids)
            chunk.append(convert(spec, row, new_id))
            if len(chunk) == CHUNK_ROWS:
                ids = self._ids_for(table, expected - count)
                self.write_chunk(spec, table, chunk)
                chunk = []
        self.write_chunk(spec, table, chunk)
        return count

    def _ids_for(self, table: str, rows: int) -> Iterator[int]:
        """New ids for the next chunk of up to ``rows`` rows (none while a problem stops the writing)."""
        if rows <= 0 or self.validator.problems:
            return iter(())
        return iter(self.sink.ids(table, min(rows, CHUNK_ROWS)))

    def write_chunk(self, spec: FileSpec, table: str, chunk: list[Any]) -> None:
        """Write converted rows (COPY lines, or row dicts on SQLite), unless a problem has been found."""
        if chunk and not self.validator.problems:
            if self.sink.postgres:
                self.sink.copy_text_soon(table, self.link_columns + _copy_names(spec.name), chunk)
            else:
                columns = tuple(chunk[0])
                self.sink.insert_soon(table, columns, [tuple([r[c] for c in columns]) for r in chunk])
        self.link_columns = ()

    def to_db(self, spec: FileSpec, read: ReadRow, new_id: int) -> dict[str, Any]:
        values = read.values
        self.read = read
        plain, logins, documents = _columns_of(spec)
        row: dict[str, Any] = {"id": new_id, "tenant_id": self.tenant_id}
        row.update({name: values[name] for name in plain})
        for name, source in logins:
            row[source] = self.ids.users.get(values[name]) if values[name] else None
        getattr(self, f"_link_{spec.name}", lambda *_: None)(row, values)  # the chain hashes the values
        for name in documents:
            if isinstance(row[name], dict | list):
                row[name] = json.dumps(row[name], ensure_ascii=False)  # the database's JSON text
        return row

    def to_copy_line(self, spec: FileSpec, read: ReadRow, new_id: int) -> str:
        """``to_db`` as one line of ``COPY`` text: the columns ``to_db`` sets beyond the plain ones (named in
        ``link_columns``, from the chunk's first row), then the plain ones, straight from the file when the
        fast path checked the row (``read.copy``)."""
        names = _copy_names(spec.name)
        if read.copy is None:
            full = self.to_db(spec, read, new_id)
            self.link_columns = self.link_columns or tuple(c for c in full if c not in set(names))
            return "\t".join([copy_field(full[c]) for c in self.link_columns + names]) + "\n"
        values = read.values
        self.read = read
        row: dict[str, Any] = {"id": new_id, "tenant_id": self.tenant_id}
        for name, source in _columns_of(spec)[1]:
            row[source] = self.ids.users.get(values[name]) if values[name] else None
        getattr(self, f"_link_{spec.name}", lambda *_: None)(row, values)
        self.link_columns = self.link_columns or tuple(row)
        return "\t".join([copy_field(row[c]) for c in self.link_columns]) + "\t" + read.copy + "\n"

    def _link_households(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.ids.households[values["household_number"]] = row["id"]
        row["head_resident_id"] = None
        if values["head_atena_number"] is not None:
            self.ids.pending_heads.append((row["id"], values["head_atena_number"]))

    def _link_residents(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        self.ids.residents[values["atena_number"]] = row["id"]
        row["household_id"] = self.ids.households[values["household_number"]]

    def _link_resident_history(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        """The snapshot as the database stores it: the two ids put in front (a key repeated in the file wins
        over them), then compact (``models.snapshot``), so an imported row is stored as the application
        writes one and reads back whole."""
        resident_id = self.ids.residents.get(values["atena_number"])
        row["resident_id"] = resident_id
        document = {
            SNAPSHOT_IDS[0]: resident_id,
            SNAPSHOT_IDS[1]: self.ids.households.get(values["household_number"]),
        }
        document.update(values["snapshot"])
        stored = compact_snapshot_keeping_unknown(document)
        # a fast row's snapshot was parsed by orjson, so orjson writes it back exactly; any other by json
        row["snapshot"] = (
            orjson.dumps(stored).decode()
            if self.read.copy is not None
            else json.dumps(stored, ensure_ascii=False)
        )

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
            used = [int(n[:-1]) for n in numbers if n]  # a non-empty one passed the check-digit validation
            counters[name] = max(counters.get(name, 1), max(used, default=0) + 1)
        rows = [{"name": n, "next_value": v} for n, v in sorted(counters.items())]
        self.sink.conn.execute(delete(SEQUENCE_TABLE).where(SEQUENCE_TABLE.c.tenant_id == self.tenant_id))
        if rows:
            new_ids = self.sink.ids("number_sequence", len(rows))
            self.sink.insert("number_sequence", ("id", "tenant_id", "name", "next_value"),
                             [(i, self.tenant_id, r["name"], r["next_value"]) for i, r in zip(new_ids, rows, strict=True)])  # fmt: skip
        return len(rows)
