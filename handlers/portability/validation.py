"""Checks of an export directory: the manifest (layout, municipality, checksums) before anything is written,
then every row of every file as the import reads it (kinds, required items, lengths, check digits, duplicate
keys, references between files, the access log's hash chain) and the row counts against the manifest.  Every
problem is reported, with file, line, column and a Japanese reason; the import is rolled back while any
remains."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from handlers.audit import GENESIS_HASH, row_hash
from handlers.errors import DomainError
from handlers.portability.copytext import FastRows
from handlers.portability.dictionary_rows import DictionaryChecks
from handlers.portability.layout import (
    CHECK_DIGIT_COLUMNS,
    LAYOUT_NAME,
    LAYOUT_VERSION,
    SPEC_BY_NAME,
    SPECS,
    FileSpec,
    file_name,
)
from handlers.portability.rowfiles import ReadRow, RecordCount, read_rows, sha256_of
from handlers.rules.check_digit import m11w27_valid

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int  # 0 when the problem is about the whole file
    column: str
    reason: str

    @property
    def message(self) -> str:
        where = (
            f"{self.file}"
            + (f" {self.line}行目" if self.line else "")
            + (f" 列 {self.column}" if self.column else "")
        )
        return f"{where}：{self.reason}"


class ImportRefusedError(DomainError):
    code = "import_refused"
    status = 422

    def __init__(self, problems: list[ImportProblem], headline: str) -> None:
        self.problems = problems
        super().__init__(f"{headline}（{len(problems)} 件）")

    def report(self) -> str:
        return "\n".join([str(self), *(p.message for p in self.problems)])

    def to_json(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self),
                "problems": [p.__dict__ | {"message": p.message} for p in self.problems]}  # fmt: skip


@dataclass
class Manifest:
    fmt: str
    municipality_code: str
    chain_tenant_id: int
    files: dict[str, dict[str, Any]]


def read_manifest(directory: Path, municipality_code: str) -> Manifest:
    """The manifest, checked against the layout, the target municipality and the files' bytes.  The row
    counts are checked by ``refuse_unless_counts_agree`` once the rows have been read."""
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise ImportRefusedError([ImportProblem(MANIFEST, 0, "", "manifest.json を読めません")],
                                 "取り込みを中止しました") from None  # fmt: skip
    problems = _manifest_problems(data, municipality_code)
    manifest = Manifest(data.get("format", ""), str(data.get("municipality_code")),
                        int(data.get("chain_tenant_id") or 0), {f.get("name"): f for f in data.get("files", [])})  # fmt: skip
    if not problems:
        problems = list(_file_problems(directory, manifest))
    if problems:
        raise ImportRefusedError(problems, "マニフェストとファイルが一致しないため取り込みを中止しました")
    return manifest


def _manifest_problems(data: Any, municipality_code: str) -> list[ImportProblem]:
    checks = [
        (isinstance(data, dict), "manifest.json の形式が正しくありません"),
        (data.get("layout") == LAYOUT_NAME, f"レイアウト名が {LAYOUT_NAME} ではありません"),
        (data.get("layout_version") == LAYOUT_VERSION, f"レイアウト版が {LAYOUT_VERSION} ではありません"),
        (data.get("format") in ("csv", "jsonl"), "形式（format）が csv / jsonl ではありません"),
        (data.get("municipality_code") == municipality_code,
         f"市区町村コード {data.get('municipality_code')} は取り込み先 {municipality_code} と異なります"),
    ]  # fmt: skip
    return [ImportProblem(MANIFEST, 0, "", reason) for ok, reason in checks if not ok]


def _file_problems(directory: Path, manifest: Manifest) -> Iterator[ImportProblem]:
    for spec in SPECS:
        name = file_name(spec, manifest.fmt)
        entry = manifest.files.get(spec.name)
        path = directory / name
        if entry is None:
            yield ImportProblem(MANIFEST, 0, "", f"{name} の記載がありません")
        elif not path.is_file():
            yield ImportProblem(name, 0, "", "ファイルがありません")
        elif entry.get("columns") != list(spec.column_names):
            yield ImportProblem(name, 0, "", "マニフェストの列名・列順が定義と一致しません")
        elif sha256_of(path) != entry.get("sha256"):
            yield ImportProblem(
                name, 0, "", "sha256 がマニフェストと一致しません（ファイルの破損または改変）"
            )


def refuse_unless_counts_agree(manifest: Manifest, counts: dict[str, int]) -> None:
    """The manifest's row count of every file against the records read (-1: the file was unreadable)."""
    problems = [
        ImportProblem(file_name(spec, manifest.fmt), 0, "",
                      f"行数がマニフェストの {manifest.files[spec.name].get('rows')} 行と一致しません")
        for spec in SPECS if counts.get(spec.name) != manifest.files[spec.name].get("rows")
    ]  # fmt: skip
    if problems:
        raise ImportRefusedError(problems, "マニフェストとファイルが一致しないため取り込みを中止しました")


@dataclass
class _Keys:
    """Keys seen so far, for duplicates and references between files."""

    seen: dict[str, set[Any]] = field(default_factory=dict)
    heads: list[tuple[int, str]] = field(default_factory=list)  # households: (line, head 宛名番号)

    def of(self, name: str) -> set[Any]:
        return self.seen.setdefault(name, set())


@dataclass
class _Chain:
    tenant_id: int
    expected_seq: int = 1
    prev: str = GENESIS_HASH


@dataclass(frozen=True)
class _Limits:
    """What ``check`` tests per column, gathered once per file so a clean row is passed quickly."""

    required: tuple[str, ...]
    lengths: tuple[tuple[str, int], ...]
    check_digits: tuple[str, ...]
    logins: tuple[str, ...]

    @classmethod
    def of(cls, spec: FileSpec) -> _Limits:
        return cls(
            tuple(c.name for c in spec.columns if not c.nullable),
            tuple((c.name, c.max_length) for c in spec.columns if c.max_length),
            tuple(c.name for c in spec.columns if (spec.name, c.name) in CHECK_DIGIT_COLUMNS),
            tuple(c.name for c in spec.columns if c.reference == "users.login_id"),
        )

    def clean(self, values: dict[str, Any], logins: set[str]) -> bool:
        """True when no column check of ``RowValidator.check`` can fail for these values."""
        for name in self.required:
            if values[name] is None:
                return False
        for name, length in self.lengths:
            value = values[name]
            if isinstance(value, str) and len(value) > length:
                return False
        for name in self.check_digits:
            value = values[name]
            if value and not m11w27_valid(value):
                return False
        return all(values[name] is None or values[name] in logins for name in self.logins)


class RowValidator:
    """Checks every row of every file as it is read (``rows``); ``finish`` adds the checks that need all
    files and returns every problem."""

    def __init__(self, manifest: Manifest, logins: set[str], copy_text: bool = False) -> None:
        self.manifest = manifest
        self.logins = logins
        self.fast = {spec.name: FastRows.for_spec(spec, logins) if copy_text else None for spec in SPECS}
        self.keys = _Keys()
        self.chain = _Chain(manifest.chain_tenant_id)
        self.dictionary = DictionaryChecks(manifest.municipality_code[:2])
        self.problems: list[ImportProblem] = []
        self.counts: dict[str, int] = {}  # records read per file
        self.limits = {spec.name: _Limits.of(spec) for spec in SPECS}

    def rows(self, directory: Path, spec: FileSpec) -> Iterator[ReadRow]:
        """Every row of the file, each checked (its problems recorded) before it is yielded."""
        name = file_name(spec, self.manifest.fmt)
        count = RecordCount()
        fast = self.fast[spec.name]
        for row in read_rows(directory / name, spec, self.manifest.fmt, count, fast.read if fast else None):
            if row.errors:
                self.problems.extend(ImportProblem(name, e.line, e.column, e.reason) for e in row.errors)
            if row.values:
                self.problems.extend(ImportProblem(name, row.line, c, r) for c, r in self.check(spec, row))
            yield row
        self.counts[spec.name] = count.records

    def finish(self) -> list[ImportProblem]:
        residents = self.keys.of("residents")
        name = file_name(SPEC_BY_NAME["households"], self.manifest.fmt)
        self.problems.extend(ImportProblem(name, line, "head_atena_number", f"世帯主の宛名番号 {atena} が住民ファイルにありません")
                             for line, atena in self.keys.heads if atena not in residents)  # fmt: skip
        name = file_name(SPEC_BY_NAME["address_entries"], self.manifest.fmt)
        self.problems.extend(ImportProblem(name, *problem) for problem in self.dictionary.missing_parents())
        return self.problems

    def check(self, spec: FileSpec, row: ReadRow) -> Iterator[tuple[str, str]]:
        values = row.values
        if row.copy is None and (row.errors or not self.limits[spec.name].clean(values, self.logins)):
            yield from self._column_problems(spec, row)  # (a fast row passed every column check already)
        if spec.key:
            key = tuple(values[k] for k in spec.key)
            seen = self.keys.of(spec.name)
            stored = key if len(key) > 1 else key[0]  # a one-column key is kept as its value (references)
            if stored in seen:
                yield ",".join(spec.key), f"キー {'/'.join(map(str, key))} が重複しています"
            seen.add(stored)
        yield from self._references(spec, values, row.line)
        if spec.name == "resident_history" and not isinstance(values["snapshot"], dict | None):
            yield "snapshot", "JSON のオブジェクト（{…}）ではありません"
        if spec.name == "access_log":
            yield from self._chain_link(values)

    def _column_problems(self, spec: FileSpec, row: ReadRow) -> Iterator[tuple[str, str]]:
        values = row.values
        unreadable = {e.column for e in row.errors}
        for column in spec.columns:
            value = values[column.name]
            if column.name in unreadable:
                continue
            if value is None and not column.nullable:
                yield column.name, "必須の項目が空（null）です"
            elif column.max_length and isinstance(value, str) and len(value) > column.max_length:
                yield column.name, f"{column.max_length} 文字を超えています（{len(value)} 文字）"
            elif (spec.name, column.name) in CHECK_DIGIT_COLUMNS and value and not m11w27_valid(value):
                yield column.name, f"{value} の検査数字が一致しません"
            elif column.reference == "users.login_id" and value is not None and value not in self.logins:
                yield (
                    column.name,
                    f"利用者 {value} が取り込み先に登録されていません（先に利用者を登録してください）",
                )

    def _known_person(self, atena: str) -> bool:
        return atena in self.keys.of("residents") or atena in self.keys.of("removed_record_archive")

    def _references(self, spec: FileSpec, values: dict[str, Any], line: int) -> Iterator[tuple[str, str]]:
        if spec.name == "households" and values["head_atena_number"] is not None:
            self.keys.heads.append((line, values["head_atena_number"]))
        elif spec.name == "residents" and values["household_number"] not in self.keys.of("households"):
            yield "household_number", f"世帯番号 {values['household_number']} が世帯ファイルにありません"
        elif spec.name in (
            "resident_history",
            "resident_memos",
            "resident_remarks",
        ) and not self._known_person(values["atena_number"]):
            yield "atena_number", f"宛名番号 {values['atena_number']} が住民・除票ファイルにありません"
        elif spec.name == "support_measure_parties":
            if values["measure_no"] not in self.keys.of("support_measures"):
                yield "measure_no", f"支援措置 {values['measure_no']} が支援措置ファイルにありません"
            atena = values["resident_atena_number"]
            if atena is not None and atena not in self.keys.of("residents"):
                yield "resident_atena_number", f"宛名番号 {atena} が住民ファイルにありません"
        elif spec.name == "address_entries":
            yield from self.dictionary.address_entry(values, line)
        elif spec.name == "katagaki":
            yield from self.dictionary.katagaki(values)

    def _chain_link(self, values: dict[str, Any]) -> Iterator[tuple[str, str]]:
        chain = self.chain
        if values["seq"] != chain.expected_seq:
            yield "seq", f"連番が {chain.expected_seq} ではありません（行の欠落・挿入）"
        if values["prev_hash"] != chain.prev:
            yield "prev_hash", "直前の行のハッシュと連結していません"
        if row_hash(SimpleNamespace(tenant_id=chain.tenant_id, **values)) != values["hash"]:  # type: ignore[arg-type]
            yield "hash", "行の内容が記録時のハッシュと一致しません（改ざん）"
        chain.expected_seq = values["seq"] + 1
        chain.prev = values["hash"]
