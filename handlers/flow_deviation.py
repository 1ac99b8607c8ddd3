"""How one flow differs from another, element by element: a tenant's flow against the national standard
(the deviation report), or one version against another (the version diff).

Read from the XML alone (``workflows.engine.elements``): an element is added, removed, or changed in its
name, lane, operator, condition, form or where it leads.  Pure functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.engine.elements import FlowElement, FlowModel, read_flow

FIELD_LABELS: dict[str, str] = {
    "kind": "種類",
    "name": "名称",
    "lane": "レーン",
    "operator": "サービス処理",
    "condition": "条件式",
    "form_key": "画面（formKey）",
    "targets": "次の要素",
}
CHANGE_LABELS = {"added": "追加", "removed": "削除", "changed": "変更"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]


@dataclass(frozen=True)
class ElementDeviation:
    element_id: str
    kind: str  # BPMN tag of the element
    name: str
    change: str  # added / removed / changed
    fields: tuple[FieldChange, ...] = ()

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]

    def to_json(self) -> dict[str, object]:
        return {
            "element_id": self.element_id,
            "kind": self.kind,
            "name": self.name,
            "change": self.change,
            "fields": [{"field": f.field, "before": f.before, "after": f.after} for f in self.fields],
        }


@dataclass
class FlowDiff:
    deviations: list[ElementDeviation] = field(default_factory=list)

    @property
    def is_same(self) -> bool:
        return not self.deviations

    def by_change(self, change: str) -> list[ElementDeviation]:
        return [d for d in self.deviations if d.change == change]

    def element_ids(self) -> list[str]:
        return [d.element_id for d in self.deviations]


def _targets(model: FlowModel) -> dict[str, str]:
    """Node id → its successors (comma-separated, sorted): where the node leads."""
    return {node: ", ".join(sorted(nexts)) for node, nexts in model.successors().items()}


def _compared(element: FlowElement, targets: dict[str, str]) -> dict[str, str]:
    values = {
        "kind": element.kind,
        "name": element.name,
        "lane": element.lane,
        "operator": element.operator,
        "condition": element.condition,
        "form_key": element.form_key,
    }
    if element.kind == "sequenceFlow":
        values["targets"] = f"{element.source} → {element.target}"
    elif element.kind != "lane":
        values["targets"] = targets.get(element.id, "")
    return values


def diff_models(base: FlowModel, other: FlowModel) -> FlowDiff:
    """What ``other`` changed relative to ``base`` (ordered: base's elements first, then the added ones)."""
    base_targets, other_targets = _targets(base), _targets(other)
    diff = FlowDiff()
    for element_id, before in base.elements.items():
        after = other.elements.get(element_id)
        if after is None:
            diff.deviations.append(ElementDeviation(element_id, before.kind, before.name, "removed"))
            continue
        old, new = _compared(before, base_targets), _compared(after, other_targets)
        changes = tuple(
            FieldChange(key, old.get(key, ""), new.get(key, ""))
            for key in FIELD_LABELS
            if old.get(key, "") != new.get(key, "")
        )
        if changes:
            diff.deviations.append(ElementDeviation(element_id, after.kind, after.name, "changed", changes))
    for element_id, after in other.elements.items():
        if element_id not in base.elements:
            diff.deviations.append(ElementDeviation(element_id, after.kind, after.name, "added"))
    return diff


def diff_flows(base_xml: str, other_xml: str, process_id: str) -> FlowDiff:
    """Element-level differences of process ``process_id`` between two BPMN files."""
    return diff_models(read_flow(base_xml, process_id), read_flow(other_xml, process_id))
