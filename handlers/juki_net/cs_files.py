"""Files received from 住基ネット CS (j1100, j1120, j1140), in the fixed layout our file drop writes
(``handlers.integration.file_drop``, docs/integration.md "Files received from CS"): cp932, CRLF, an ``H``
header (sender, destination, kind, seq, key, created), one ``D`` line per item (name 60 bytes, value 200 bytes,
nested items dotted: ``persons.0.name``) and a ``T`` trailer with the item count.

``parse_cs_file`` reads one file into its header and nested payload, refusing a file whose structure is wrong
(a Japanese reason per problem); ``take_file`` records a file once (by its sha256) so a file read again by the
next run is not applied twice; ``files_in`` lists a directory's files of the wanted kinds not taken yet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from handlers.errors import Problem, ValidationError
from handlers.integration.file_drop import ENCODING, HEADER, ITEM_WIDTH, VALUE_WIDTH
from handlers.uow import UnitOfWork
from models.juki_net import CsReceivedFile

HEADER_WIDTH = 1 + sum(width for _name, width in HEADER)
ITEM_LINE_WIDTH = 1 + ITEM_WIDTH + VALUE_WIDTH


class CsFileError(ValidationError):
    """The file is not a CS file of our layout, or its content cannot be applied (its problems say why)."""

    def __init__(self, problems: list[Problem], *, file_name: str = "", digest: str = "") -> None:
        super().__init__(problems)
        self.file_name = file_name
        self.digest = digest

    @property
    def reasons(self) -> str:
        return "、".join(p.message for p in self.problems)


@dataclass(frozen=True)
class CsFile:
    name: str
    digest: str
    header: dict[str, str]
    payload: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.header["kind"]


def _text(raw: bytes) -> str:
    return raw.decode(ENCODING, errors="replace").rstrip(" ")


def _problem(line: int, reason: str) -> Problem:
    return Problem(
        f"line[{line}]", f"{line}行目", reason, "CSから受信したファイルを確認してください", "cs_file"
    )


def _header(line: bytes) -> dict[str, str]:
    fields, offset = {}, 1
    for name, width in HEADER:
        fields[name] = _text(line[offset : offset + width])
        offset += width
    return fields


def _put(tree: dict[str, Any], dotted: str, value: str) -> None:
    """Set ``value`` at ``a.0.b`` in a tree of dicts (numeric parts are list positions, kept as dict keys
    here and turned into lists by ``_lists``)."""
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValueError(dotted)
    node[parts[-1]] = value or None


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def parse_cs_file(name: str, data: bytes) -> CsFile:
    """The header and the nested payload of one received file; ``CsFileError`` when its structure is wrong."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        header, payload = _read(data)
    except CsFileError as error:
        raise CsFileError(error.problems, file_name=name, digest=digest) from None
    return CsFile(name, digest, header, payload)


def _read(data: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    lines = data.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    problems: list[Problem] = []
    if not lines or not lines[0].startswith(b"H") or len(lines[0]) != HEADER_WIDTH:
        raise CsFileError([_problem(1, "見出しレコード（H）がありません")])
    if not lines[-1].startswith(b"T"):
        raise CsFileError([_problem(len(lines), "終わりのレコード（T）がありません")])
    payload: dict[str, Any] = {}
    items = lines[1:-1]
    for number, line in enumerate(items, start=2):
        if not line.startswith(b"D") or len(line) != ITEM_LINE_WIDTH:
            problems.append(_problem(number, "項目レコード（D）の形式が正しくありません"))
            continue
        item = _text(line[1 : 1 + ITEM_WIDTH])
        try:
            _put(payload, item, _text(line[1 + ITEM_WIDTH :]))
        except ValueError:
            problems.append(_problem(number, f"項目名「{item}」が他の項目と重なっています"))
    count = lines[-1][1:].decode("ascii", errors="replace").strip()
    if not count.isdigit() or int(count) != len(items):
        problems.append(_problem(len(lines), f"件数 {count} が項目レコードの数 {len(items)} と合いません"))
    if problems:
        raise CsFileError(problems)
    return _header(lines[0]), _lists(payload)


def already_taken(uow: UnitOfWork, digest: str) -> bool:
    return uow.session.scalar(select(CsReceivedFile.id).where(CsReceivedFile.digest == digest)) is not None


def take_file(uow: UnitOfWork, cs_file: CsFile, detail: dict[str, Any]) -> CsReceivedFile:
    """Record the file as processed (in the transaction that applies it)."""
    row = CsReceivedFile(tenant_id=uow.actor.tenant_id, file_name=cs_file.name[:200], digest=cs_file.digest,
                         kind=cs_file.kind[:40], status="processed", detail=detail)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return row


def refuse_file(uow: UnitOfWork, error: CsFileError, kind: str = "unreadable") -> CsReceivedFile:
    """Record a file that could not be read or applied (taken once, with its reasons, never applied)."""
    row = CsReceivedFile(
        tenant_id=uow.actor.tenant_id, file_name=error.file_name[:200], digest=error.digest, kind=kind[:40],
        status="refused", detail={"problems": [p.message for p in error.problems]},
    )  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return row


def files_in(uow: UnitOfWork, directory: str, kinds: tuple[str, ...]) -> list[CsFile | CsFileError]:
    """The files of ``directory`` (name order) not taken yet: parsed files of ``kinds``, and the errors of
    unreadable ones (naming the file) for the caller to refuse.  A file of another kind is left for its own
    batch."""
    folder = Path(directory)
    if not directory or not folder.is_dir():
        raise ValidationError(
            [Problem("directory", "受信フォルダ", f"フォルダ「{directory}」がありません",
                     "CSからのファイルを受け取るフォルダを指定してください", "directory")]
        )  # fmt: skip
    found: list[CsFile | CsFileError] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        if already_taken(uow, hashlib.sha256(data).hexdigest()):
            continue
        try:
            parsed = parse_cs_file(path.name, data)
        except CsFileError as error:
            found.append(error)
            continue
        if parsed.kind in kinds:
            found.append(parsed)
    return found
