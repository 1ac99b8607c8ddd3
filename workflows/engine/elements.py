"""The elements of a BPMN file as plain data, read from the XML alone (no SpiffWorkflow).

What our engine reads from each element: its kind, name, lane, service operator, form key, condition and
where it leads.  Used by the law's checks before deploy (``flow_rules``) and by the deviation report and
version diff (``handlers.flow_deviation``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NODE_KINDS = frozenset(
    {
        "startEvent", "endEvent", "userTask", "serviceTask", "scriptTask", "manualTask", "task",
        "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "boundaryEvent",
        "intermediateCatchEvent", "intermediateThrowEvent", "callActivity", "subProcess",
    }
)  # fmt: skip
TASK_KINDS = frozenset({"userTask", "serviceTask", "scriptTask", "manualTask", "task", "callActivity"})


class FlowXmlError(ValueError):
    """The text is not BPMN XML with a process."""


@dataclass(frozen=True)
class FlowElement:
    """One node, sequence flow or lane of a process, with the fields our engine reads."""

    id: str
    kind: str  # the BPMN tag: userTask, serviceTask, sequenceFlow, lane, ...
    name: str = ""
    lane: str = ""  # the lane's name (nodes only)
    operator: str = ""  # spiffworkflow:serviceTaskOperator id
    form_key: str = ""  # spiffworkflow property formKey
    condition: str = ""  # sequence flows: the condition expression
    source: str = ""  # sequence flows
    target: str = ""  # sequence flows
    attached_to: str = ""  # boundary events

    @property
    def is_task(self) -> bool:
        return self.kind in TASK_KINDS


@dataclass
class FlowModel:
    """Every element of one process by id, plus the graph our checks walk."""

    process_id: str
    name: str = ""
    elements: dict[str, FlowElement] = field(default_factory=dict)

    def nodes(self) -> list[FlowElement]:
        return [e for e in self.elements.values() if e.kind in NODE_KINDS]

    def flows(self) -> list[FlowElement]:
        return [e for e in self.elements.values() if e.kind == "sequenceFlow"]

    def lanes(self) -> list[FlowElement]:
        return [e for e in self.elements.values() if e.kind == "lane"]

    def successors(self) -> dict[str, list[str]]:
        """Node id → the nodes it leads to (sequence flows, and an activity to its boundary events)."""
        graph: dict[str, list[str]] = {node.id: [] for node in self.nodes()}
        for flow in self.flows():
            graph.setdefault(flow.source, []).append(flow.target)
        for node in self.nodes():
            if node.attached_to:
                graph.setdefault(node.attached_to, []).append(node.id)
        return graph

    def starts(self) -> list[str]:
        return [n.id for n in self.nodes() if n.kind == "startEvent"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _operator_and_form(node: ET.Element) -> tuple[str, str]:
    operator = node.find(f"./{{{BPMN}}}extensionElements/{{{SPIFF}}}serviceTaskOperator")
    form_key = ""
    for prop in node.iterfind(f"./{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property"):
        if prop.get("name") == "formKey":
            form_key = prop.get("value") or ""
    return (operator.get("id") or "") if operator is not None else "", form_key


def _lane_of(process: ET.Element) -> tuple[dict[str, str], list[FlowElement]]:
    lane_of: dict[str, str] = {}
    lanes: list[FlowElement] = []
    for lane in process.iter(f"{{{BPMN}}}lane"):
        name = (lane.get("name") or "").strip()
        lanes.append(FlowElement(id=lane.get("id") or "", kind="lane", name=name))
        for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef"):
            lane_of[(ref.text or "").strip()] = name
    return lane_of, lanes


def _element(child: ET.Element, lane_of: dict[str, str]) -> FlowElement | None:
    kind = _local(child.tag)
    element_id = child.get("id") or ""
    name = (child.get("name") or "").strip()
    if kind == "sequenceFlow":
        condition = child.find(f"{{{BPMN}}}conditionExpression")
        return FlowElement(
            id=element_id,
            kind=kind,
            name=name,
            condition=((condition.text or "").strip() if condition is not None else ""),
            source=child.get("sourceRef") or "",
            target=child.get("targetRef") or "",
        )
    if kind not in NODE_KINDS:
        return None
    operator, form_key = _operator_and_form(child)
    return FlowElement(
        id=element_id,
        kind=kind,
        name=name,
        lane=lane_of.get(element_id, ""),
        operator=operator,
        form_key=form_key,
        attached_to=child.get("attachedToRef") or "",
    )


def read_flow(xml: str | bytes, process_id: str | None = None) -> FlowModel:
    """The elements of ``process_id`` (default: the first executable process) in ``xml``."""
    try:
        root = ET.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    except ET.ParseError as exc:
        raise FlowXmlError(f"XMLとして読み込めません：{exc}") from exc
    processes = root.findall(f"{{{BPMN}}}process")
    if process_id is not None:
        processes = [p for p in processes if p.get("id") == process_id]
    if not processes:
        raise FlowXmlError(f"プロセス {process_id or ''} が定義されていません")
    process = processes[0]
    lane_of, lanes = _lane_of(process)
    model = FlowModel(process_id=process.get("id") or "", name=(process.get("name") or "").strip())
    for lane in lanes:
        model.elements[lane.id] = lane
    for child in process:
        element = _element(child, lane_of)
        if element is not None:
            model.elements[element.id] = element
    return model
