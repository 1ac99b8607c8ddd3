"""A restricted script environment: every BPMN expression and script is untrusted (analysts edit flows).

* Expressions (gateway conditions, timer expressions, service parameters) run in simpleeval with a small
  whitelist of functions.
* Scripts (script tasks, pre/post scripts) run in asteval without ``open``, ``print``, numpy, imports, loops
  of unbounded length or function definitions; a step and wall-clock budget stops any runaway script.
* Service tasks call operators from ``workflows.engine.registry``; a failing operator becomes a
  ``ServiceTaskError`` carrying the original exception.

``SafeScriptEngine`` also works around SpiffWorkflow 3.2.0's ``call_service`` NameError bug.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from asteval import Interpreter
from simpleeval import EvalWithCompoundTypes, InvalidExpression, SimpleEval
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from handlers.clock import japan_today
from workflows.engine import registry

MAX_EXPRESSION_CHARS = 2_000
MAX_SCRIPT_CHARS = 10_000
MAX_SCRIPT_STEPS = 200_000  # AST node evaluations per script
MAX_SCRIPT_SECONDS = 2.0
MAX_SEQUENCE_REPEAT = 100_000  # longest list/tuple a script may build with *
DENIED_SCRIPT_CALLS = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "input",
        "print",
    }
)
FORBIDDEN_SCRIPT_NODES: dict[type[ast.AST], str] = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.While: "while ループ",
    ast.FunctionDef: "関数定義",
    ast.AsyncFunctionDef: "関数定義",
    ast.Lambda: "lambda",
    ast.ClassDef: "クラス定義",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.With: "with",
    ast.Try: "try",
}


class ExpressionError(Exception):
    """An expression was refused or failed."""


class ScriptError(Exception):
    """A script was refused, failed or ran over its budget."""


class ServiceTaskError(Exception):
    """A service operator failed; ``original`` is what the handler raised."""

    def __init__(self, operation: str, original: BaseException) -> None:
        self.operation = operation
        self.original = original
        super().__init__(f"サービス処理 {operation} でエラーが発生しました：{original}")


def today() -> str:
    """Today in Japan, as an ISO date string."""
    return japan_today().isoformat()


def days_between(start: str, end: str) -> int:
    """Days from ``start`` to ``end`` (ISO date strings)."""
    return (dt.date.fromisoformat(str(end)[:10]) - dt.date.fromisoformat(str(start)[:10])).days


SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "today": today,
    "days_between": days_between,
}


def _dunder_problem(tree: ast.AST) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"アンダースコアで始まる属性 {node.attr} は使えません"
        if isinstance(node, ast.Attribute) and node.attr in ("format", "format_map"):
            return f"{node.attr} は使えません"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"アンダースコアで始まる名前 {node.id} は使えません"
    return None


def check_expression(expression: str) -> str | None:
    """Why ``expression`` cannot be a BPMN expression, or None.  Parses without evaluating."""
    return _parsed_expression(expression)[1]


@lru_cache(maxsize=1024)
def _parsed_expression(expression: str) -> tuple[Any, str | None]:
    """(its tree, None) or (None, why it cannot be a BPMN expression): the flows' few expressions are
    evaluated again and again, and the tree is never changed by an evaluation."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        return None, f"式が長すぎます（{MAX_EXPRESSION_CHARS}文字まで）"
    try:
        tree = SimpleEval.parse(expression)
    except SyntaxError as exc:
        return None, f"式の構文に誤りがあります：{exc.msg}"
    except InvalidExpression:
        return None, "式が空です"
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            return None, "式では lambda は使えません"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id not in SAFE_FUNCTIONS
        ):
            return None, f"関数 {node.func.id} は使えません（使える関数：{'、'.join(SAFE_FUNCTIONS)}）"
    problem = _dunder_problem(tree)
    return (None, problem) if problem else (tree, None)


def check_script(script: str) -> str | None:
    """Why ``script`` cannot run as a BPMN script, or None.  Parses without running."""
    if len(script) > MAX_SCRIPT_CHARS:
        return f"スクリプトが長すぎます（{MAX_SCRIPT_CHARS}文字まで）"
    try:
        tree = ast.parse(script)
    except SyntaxError as exc:
        return f"スクリプトの構文に誤りがあります（{exc.lineno}行目）：{exc.msg}"
    for node in ast.walk(tree):
        label = FORBIDDEN_SCRIPT_NODES.get(type(node))
        if label is not None:
            return f"スクリプトでは {label} は使えません"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in DENIED_SCRIPT_CALLS
        ):
            return f"スクリプトでは関数 {node.func.id} は使えません"
    return _dunder_problem(tree)


class _BudgetExceeded(BaseException):
    """Raised inside asteval; a BaseException so asteval's own handlers cannot swallow it."""


class _BudgetedInterpreter(Interpreter):
    """asteval with a step and wall-clock budget and bounded sequence repetition."""

    def __init__(self, user_symbols: dict[str, Any]) -> None:
        off = {node: False for node in ("while", "functiondef", "lambda", "with", "try", "print")}
        super().__init__(user_symbols=user_symbols, use_numpy=False, config=off)
        for name in ("open", "print"):
            self.symtable.pop(name, None)
        self._steps = 0
        self._deadline = time.monotonic() + MAX_SCRIPT_SECONDS

    def run(self, node: Any, expr: Any = None, lineno: Any = None, with_raise: bool = True) -> Any:
        self._steps += 1
        if self._steps > MAX_SCRIPT_STEPS or time.monotonic() > self._deadline:
            raise _BudgetExceeded()
        return super().run(node, expr=expr, lineno=lineno, with_raise=with_raise)

    def on_binop(self, node: ast.BinOp) -> Any:
        if isinstance(node.op, ast.Mult):
            left, right = self.run(node.left), self.run(node.right)
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, list | tuple)
                    and isinstance(n, int)
                    and len(seq) * n > MAX_SEQUENCE_REPEAT
                ):
                    raise RuntimeError(f"シーケンスが大きすぎます（{MAX_SEQUENCE_REPEAT}要素まで）")
        return super().on_binop(node)


def is_plain_data(value: Any) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(is_plain_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain_data(v) for k, v in value.items())
    return False


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates, executes and calls services for one engine run.

    ``make_service_context(task_id, data)`` builds the ``ServiceContext`` a service operator receives; the
    runner supplies it so operators work in the caller's unit of work.
    """

    def __init__(self, make_service_context: Callable[[str, dict[str, Any]], Any] | None = None) -> None:
        super().__init__()
        self.make_service_context = make_service_context

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        tree, problem = _parsed_expression(expression)
        if problem:
            raise ExpressionError(f"式を評価できません（{problem}）：{expression}")
        names = dict(context)
        names.update(external_context or {})
        try:
            return EvalWithCompoundTypes(names=names, functions=SAFE_FUNCTIONS).eval(expression, tree)
        except Exception as exc:
            raise ExpressionError(f"式を評価できません（{type(exc).__name__}: {exc}）：{expression}") from exc

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        problem = check_script(script)
        if problem:
            raise ScriptError(f"スクリプトを実行できません（{problem}）")
        symbols = dict(context)
        symbols.update(external_context or {})
        interpreter = _BudgetedInterpreter(symbols)
        builtin_names = set(interpreter.symtable) - set(symbols)
        try:
            interpreter.eval(script, show_errors=False, raise_errors=True)
        except _BudgetExceeded:
            raise ScriptError(
                f"スクリプトが処理の上限（{MAX_SCRIPT_STEPS}ステップ・{MAX_SCRIPT_SECONDS}秒）を超えました"
            ) from None
        except Exception as exc:
            raise ScriptError(f"スクリプトの実行に失敗しました（{type(exc).__name__}: {exc}）") from exc
        self._copy_back(interpreter.symtable, builtin_names, context, set(external_context or {}))
        return True

    @staticmethod
    def _copy_back(
        symtable: dict[str, Any], skip: set[str], context: dict[str, Any], external: set[str]
    ) -> None:
        updates: dict[str, Any] = {}
        for name, value in symtable.items():
            if name in skip or name in external or name.startswith("_") or callable(value):
                continue
            if not is_plain_data(value):
                raise ScriptError(f"変数 {name} の値（{type(value).__name__}）は保存できません")
            updates[name] = list(value) if isinstance(value, tuple) else value
        for name in [k for k in context if k not in symtable]:
            del context[name]  # deleted by the script
        context.update(updates)

    def call_service(
        self, context: dict[str, Any], operation_name: str, operation_params: dict[str, Any], **kwargs: Any
    ) -> str:
        params = {name: spec["value"] for name, spec in operation_params.items()}
        try:
            operator = registry.get(operation_name)
            if self.make_service_context is None:
                raise RuntimeError("サービス処理を実行できる作業単位がありません")
            ctx = self.make_service_context(kwargs.get("task_id") or "", dict(context))
            result = operator(ctx, **params)
            return json.dumps(result)
        except Exception as exc:
            raise ServiceTaskError(operation_name, exc) from exc


class SafeScriptEngine(PythonScriptEngine):
    """PythonScriptEngine bound to a SafeEnvironment, with a working ``call_service``."""

    def __init__(self, environment: SafeEnvironment | None = None) -> None:
        super().__init__(environment=environment or SafeEnvironment())

    def validate(self, expression: str) -> None:
        problem = check_expression(expression)
        if problem:
            raise ExpressionError(problem)

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            return str(self.environment.call_service(task.data, task_id=task.task_spec.bpmn_id, **kwargs))
        except Exception as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
