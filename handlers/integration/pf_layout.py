"""Our layout after the regional information platform's (地域情報プラットフォーム標準仕様, j1170) structure: one
XML document per exchange, a header naming the sending and receiving business units, the data kind and the
record count, then the records, each a list of named items.  We do not have the platform's own XML schema;
this is Jumin's layout in its image (``urn:jumin:pf:1``, docs/other-systems.md), to be mapped onto the real
schema by a conforming PF product or replaced once the schema is obtained.

Character codes: a file is UTF-8 or Shift_JIS (Windows-31J), as its XML declaration says.  Outgoing
Shift_JIS files carry every value made JIS X 0208-safe (``to_network_charset``: IVS dropped, 縮退 fallback,
〓) with the MJ original beside it in the ``mj`` attribute as character references, so nothing is lost.
Incoming files are decoded by their declaration (UTF-8 by default) and refused when they cannot be decoded,
carry a DOCTYPE (no entities: nothing outside the file is ever read) or break the layout.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: N817 - the usual name
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.integration.charset import to_network_charset
from handlers.integration.file_drop import flatten

NAMESPACE = "urn:jumin:pf:1"
OUR_UNIT = "jumin"  # 住民記録システム
UTF8, SJIS = "UTF-8", "Shift_JIS"
SJIS_NAMES = {"shift_jis", "shift-jis", "sjis", "windows-31j", "cp932", "ms932", "x-sjis"}
DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.-]+)[\"']")
HEADER_FIELDS = ("MessageId", "DataKind", "SenderUnit", "ReceiverUnit", "ReceiverOrganization", "CreatedAt",
                 "RecordCount")  # fmt: skip
MAX_BYTES = 20 * 1024 * 1024


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


# --- writing (住民記録 → unit) -------------------------------------------------------------------------------


def _records(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The notice envelopes a body carries: itself, or a batch's messages (``jumin.batch/1``)."""
    if body.get("format") == "jumin.batch/1":
        return list((body.get("payload") or {}).get("messages") or [])
    return [body]


def _item(parent: ET.Element, name: str, value: Any, sjis: bool) -> None:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    element = ET.SubElement(parent, _q("Item"), {"name": name})
    if sjis:
        safe = to_network_charset(text) or ""
        if safe != text:
            element.set("mj", text)
        text = safe
    element.text = text


def render(body: Mapping[str, Any], unit: str, *, sjis: bool) -> bytes:
    """The XML document of one delivery (a notice or a near-real-time batch) to ``unit``."""
    records = _records(body)
    root = ET.Element(_q("PfMessage"), {"version": "1"})
    header = ET.SubElement(root, _q("Header"))
    values = {
        "MessageId": body["idempotency_key"], "DataKind": "jumin_delta", "SenderUnit": OUR_UNIT,
        "SenderOrganization": body["sender"]["code"], "ReceiverUnit": unit,
        "CreatedAt": body.get("created_at") or "", "RecordCount": str(len(records)),
    }  # fmt: skip
    for tag, value in values.items():
        ET.SubElement(header, _q(tag)).text = str(value)
    content = ET.SubElement(root, _q("Body"))
    for record in records:
        element = ET.SubElement(content, _q("Record"), {
            "seq": str(record["seq"]), "key": str(record["idempotency_key"]), "kind": str(record["kind"])})  # fmt: skip
        for name, value in flatten(record.get("payload") or {}):
            _item(element, name, value, sjis)
    ET.register_namespace("", NAMESPACE)
    text = ET.tostring(root, encoding="unicode")
    encoding = SJIS if sjis else UTF8
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    return (declaration + text + "\n").encode("cp932" if sjis else "utf-8", errors="xmlcharrefreplace")


# --- reading (unit → 住民記録) -------------------------------------------------------------------------------


class LayoutError(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("、".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Record:
    index: int  # 1-based, for messages
    kind: str
    atena_number: str | None
    resident_code: str | None
    items: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    encoding: str
    header: dict[str, str]
    records: list[Record]

    @property
    def message_id(self) -> str:
        return self.header["MessageId"]


def decode(data: bytes) -> tuple[str, str]:
    """(the text, the encoding declared) of a received file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    match = DECLARATION.match(data)
    declared = match.group(1).decode("ascii") if match else UTF8
    codec = "cp932" if declared.lower() in SJIS_NAMES else declared.lower()
    if codec not in ("utf-8", "utf8", "cp932"):
        raise LayoutError([f"文字コード {declared} には対応していません（UTF-8 または Shift_JIS）"])
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        raise LayoutError(
            [f"宣言された文字コード {declared} として読めません（{err.start}バイト目）"]
        ) from err
    return text, declared


def _header(root: ET.Element) -> dict[str, str]:
    header = root.find(_q("Header"))
    if header is None:
        raise LayoutError(["Header がありません"])
    values = {child.tag.removeprefix(f"{{{NAMESPACE}}}"): (child.text or "").strip() for child in header}
    missing = [name for name in HEADER_FIELDS if not values.get(name)]
    if missing:
        raise LayoutError([f"Header に {'・'.join(missing)} がありません"])
    return values


def _record(index: int, element: ET.Element) -> Record:
    items = {item.get("name", ""): (item.text or "").strip() for item in element.findall(_q("Item"))}
    return Record(index, element.get("kind", ""), element.get("atena_number") or None,
                  element.get("resident_code") or None, items)  # fmt: skip


def parse(data: bytes) -> Document:
    """A received file as a document; ``LayoutError`` with the reasons when it is not one of ours."""
    if len(data) > MAX_BYTES:
        raise LayoutError([f"ファイルが大きすぎます（{MAX_BYTES // 1024 // 1024}MBまで）"])
    text, declared = decode(data)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise LayoutError(["DOCTYPE・ENTITY 宣言は受け付けません"])
    try:
        root = ET.fromstring(text.split("?>", 1)[1] if text.lstrip().startswith("<?xml") else text)
    except ET.ParseError as err:
        raise LayoutError([f"XMLとして読めません（{err}）"]) from err
    if root.tag != _q("PfMessage") or root.get("version") != "1":
        raise LayoutError([f"ルート要素が {{{NAMESPACE}}}PfMessage（version 1）ではありません"])
    header = _header(root)
    body = root.find(_q("Body"))
    records = [_record(i, e) for i, e in enumerate(body.findall(_q("Record")) if body is not None else [], 1)]
    if header["RecordCount"] != str(len(records)):
        raise LayoutError(
            [f"件数が一致しません（RecordCount {header['RecordCount']}、Record {len(records)}件）"]
        )
    return Document(declared, header, records)
