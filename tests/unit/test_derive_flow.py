"""The dev tool that derives a standard-shaped flow from workflows/move_in.bpmn."""

from __future__ import annotations

import pytest

from workflows.tools.derive_flow import TEMPLATE, DeriveError, derive


def test_derived_flow_renames_every_id_and_label() -> None:
    text = derive(
        "koseki_notice",
        label="戸籍通知",
        title="戸籍通知による記載",
        documents="発行",
        template=TEMPLATE.read_text(),
    )
    assert 'id="review_koseki_notice"' in text and 'operator id="koseki_notice.register"' not in text
    assert 'serviceTaskOperator id="koseki_notice.register"' in text
    assert "move_in" not in text and "転入" not in text
    assert 'name="戸籍通知の入力（職権記録書）"' in text and "bpmndi:BPMNShape" in text


@pytest.mark.parametrize("process_id", ["Koseki", "1flow", "a-b", ""])
def test_process_id_must_be_snake_case(process_id: str) -> None:
    with pytest.raises(DeriveError):
        derive(process_id, label="x", title="x", documents="x", template=TEMPLATE.read_text())


def test_a_template_of_another_shape_is_refused() -> None:
    with pytest.raises(DeriveError):
        derive("x_flow", label="x", title="x", documents="x", template="<bpmn:definitions/>")
