"""Dev tool: write ``workflows/<process_id>.bpmn`` for a change type whose flow has the standard shape.

The standard shape is the one of ``workflows/move_in.bpmn``: lanes 窓口/審査; intake → 仮登録 → 審査・決裁 (with a
non-interrupting review reminder) → 決裁？ → 本登録 → 通知・連携 → 交付物の発行 → end, rejection looping back to the
intake.  The tool copies that file with its BPMN DI (shapes and edges, so bpmn-js opens it laid out),
renames every ``move_in`` id to the new process id and replaces the Japanese labels.  The result is an
ordinary BPMN file: review it, commit it, and edit it by hand from then on.

Usage (from the repository root)::

    .venv/bin/python -m workflows.tools.derive_flow koseki_notice \\
        --label 戸籍通知 --title 戸籍通知による記載 --documents 職権記載等通知書の発行

An existing file is never overwritten unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parent.parent
TEMPLATE = WORKFLOWS / "move_in.bpmn"
TEMPLATE_ID = "move_in"
PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class DeriveError(Exception):
    """The flow cannot be derived (bad id, file exists, template changed shape)."""


def derive(
    process_id: str, *, label: str, title: str, documents: str, template: str, intake: str | None = None
) -> str:
    """The template's text with the new process id and labels."""
    if not PROCESS_ID.match(process_id):
        raise DeriveError(f"process id {process_id!r} must be lower_snake_case")
    replacements = {
        'name="転入届受付"': f'name="{label}の受付"',
        'name="転入届の入力"': f'name="{intake or label + "の入力（職権記録書）"}"',
        'name="転入"': f'name="{title}"',
        'name="交付物の発行"': f'name="{documents}"',
    }
    text = template
    for old, new in replacements.items():
        if old not in text:
            raise DeriveError(f"the template no longer contains {old}; write the flow by hand")
        text = text.replace(old, new)
    text = text.replace(TEMPLATE_ID, process_id)
    if "転入" in text:
        raise DeriveError("a 転入 label of the template was left; write the flow by hand")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("process_id")
    parser.add_argument("--label", required=True, help="short Japanese name, e.g. 戸籍通知")
    parser.add_argument("--title", required=True, help="process name shown in the diagram")
    parser.add_argument("--intake", help="name of the intake task (default: <label>の入力（職権記録書）)")
    parser.add_argument("--documents", default="交付物の発行", help="name of the issue_documents task")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    target = WORKFLOWS / f"{args.process_id}.bpmn"
    if target.exists() and not args.force:
        parser.error(f"{target} exists (use --force to overwrite)")
    try:
        text = derive(
            args.process_id,
            label=args.label,
            title=args.title,
            documents=args.documents,
            intake=args.intake,
            template=TEMPLATE.read_text(encoding="utf-8"),
        )
    except DeriveError as err:
        parser.error(str(err))
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
