"""The ceiling for the case benchmark (bench/cases.py): a flow driven through bare SpiffWorkflow in memory.

No database, no handlers, no restricted evaluator: SpiffWorkflow's own ``PythonScriptEngine`` with trivial
service operators (each returns a small dict, as ours do).  Between steps the workflow goes through a JSON
save and restore the way ``store`` does it (the instance without its spec, the spec dict kept once per
process), so the only difference left to the real path is what the real path adds: the register, the
database, the rules and the access log.  Used only by the benchmark; it lives here because only
``workflows.engine`` imports SpiffWorkflow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows.engine.store import SERIALIZER, SPEC_KEYS


class _TrivialServices(TaskDataEnvironment):
    """Every service task returns ``{"operator": <name>, "ok": True}`` as JSON (what SpiffWorkflow wants)."""

    def call_service(
        self, context: dict[str, Any], operation_name: str, operation_params: dict[str, Any], **_kw: Any
    ) -> str:
        return json.dumps({"operator": operation_name, "ok": True})


class _BareScriptEngine(PythonScriptEngine):
    # SpiffWorkflow 3.2.0's own call_service hides errors behind a NameError; this one just delegates.
    def call_service(self, task: Any, **kwargs: Any) -> str:
        return str(self.environment.call_service(task.data, **kwargs))


@dataclass
class BareFlow:
    """One parsed process, driven case after case through bare SpiffWorkflow."""

    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    spec_dict: dict[str, Any]
    engine: PythonScriptEngine
    serializer: BpmnWorkflowSerializer = SERIALIZER

    @classmethod
    def from_file(cls, path: str | Path, process_id: str) -> BareFlow:
        """Parse (and XSD-validate) once; keep the serialized spec once, as ``store`` does."""
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(path))
        spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
        full = SERIALIZER.to_dict(BpmnWorkflow(spec, subprocess_specs))
        spec_dict = {key: full[key] for key in SPEC_KEYS}
        engine = _BareScriptEngine(environment=_TrivialServices())
        return cls(process_id, spec, subprocess_specs, spec_dict, engine)

    def save(self, workflow: BpmnWorkflow) -> str:
        dct = self.serializer.to_dict(workflow)
        for key in SPEC_KEYS:
            dct.pop(key)
        return json.dumps(dct, ensure_ascii=False, separators=(",", ":"))

    def restore(self, saved: str) -> BpmnWorkflow:
        dct = json.loads(saved)
        dct.update(self.spec_dict)
        workflow = self.serializer.from_dict(dct)
        workflow.script_engine = self.engine
        return workflow

    def start(self, data: dict[str, Any]) -> str:
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        workflow.do_engine_steps()
        return self.save(workflow)

    def complete(self, saved: str, bpmn_id_prefix: str, data: dict[str, Any]) -> str:
        """Restore, complete the READY human task whose BPMN id starts with the prefix, run, save."""
        workflow = self.restore(saved)
        [task] = [
            t
            for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id.startswith(bpmn_id_prefix)
        ]
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return self.save(workflow)

    def ready_task_ids(self, saved: str) -> list[str]:
        workflow = self.restore(saved)
        return [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY, manual=True)]

    def run_case(self, intake: dict[str, Any]) -> str:
        """The benchmark's case: open (intake completed → provisional), approve (→ 本登録, notices); it then
        waits at the issuance task, where the real path stops too."""
        saved = self.start({"change_type": self.process_id})
        saved = self.complete(saved, "intake_", {"intake": intake})
        return self.complete(saved, "review_", {"approved": True})
