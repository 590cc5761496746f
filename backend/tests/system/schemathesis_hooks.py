"""schemathesis hooks for tests/system/test_api_contract.py (loaded through SCHEMATHESIS_HOOKS).

A valid Idempotency-Key sent again with another body is a 422, as the IETF draft says, and no
schema can say "a key must not be reused with another body": schemathesis reuses the schema's
example key and its own short values across cases. Every request that schemathesis means to be
valid therefore gets a key of its own (still valid); invalid ones keep the key generated, so
the key's syntax stays under test. Reuse itself is covered by tests/api/test_idempotency.py.

The same holds for a date range: `due_from` after `due_to` is a 422 (issue #9), and no schema can
relate two parameters (their descriptions say it). A valid case with the pair the wrong way
round is sent the right way round; tests/api/test_tasks_list.py covers the 422.

Issue 20 adds rules of the same kind, between fields or about stored rows: a due time or a repeat
needs a due date; a repeat is an RRULE of a subset that no pattern can spell with errors that name
the part (app/recurrence.py reads it), and repeating from completion takes FREQ and INTERVAL alone;
`list_id`, `parent_id` and a move's `after` must name the caller's own list or task. A valid case
that breaks one of them is made to keep it (a date added, a rule that parses, no list or parent, a
move to the front); tests/api/test_repeats.py, test_subtasks.py, test_lists.py and
test_task_order.py cover each 422.
"""

import uuid
from typing import Any

import schemathesis
from schemathesis.generation.case import Case
from schemathesis.hooks import HookContext

from app.recurrence import RuleError, check

HEADER = "Idempotency-Key"
RANGE = ("due_from", "due_to")
A_DATE = "2027-01-04"
A_RULE = "FREQ=WEEKLY;INTERVAL=2"


def _keep_task_rules(body: dict[str, Any], creating: bool) -> None:
    """A task body made to keep the rules that relate its fields or name stored rows."""
    for name in ("list_id", "parent_id"):
        if body.get(name) is not None:
            body[name] = None
    if "repeat_from" in body and "repeat" not in body and not creating:
        body["repeat"] = A_RULE  # the stored rule may not repeat from completion
    repeat = body.get("repeat")
    if isinstance(repeat, str):
        try:
            check(repeat, body.get("repeat_from") or "due")
        except RuleError:
            body["repeat"] = A_RULE
    needs_date = body.get("due_time") is not None or body.get("repeat") is not None
    if needs_date and body.get("due_date") is None:
        body["due_date"] = A_DATE


def _keep_rules(case: Case[Any]) -> None:
    body, path, method = case.body, case.operation.path, case.method.upper()
    if not isinstance(body, dict):
        return
    if path == "/tasks/{task_id}/move" and body.get("after") is not None:
        body["after"] = None
    elif path == "/tasks" and method == "POST":
        _keep_task_rules(body, creating=True)
    elif path == "/tasks/{task_id}" and method == "PATCH":
        _keep_task_rules(body, creating=False)


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if not (meta and meta.generation.mode.is_positive):
        return
    if case.headers and HEADER in case.headers:
        case.headers[HEADER] = f'"{uuid.uuid4()}"'
    _keep_rules(case)
    query = case.query
    if query and all(isinstance(query.get(name), str) for name in RANGE):
        start, end = (query[name] for name in RANGE)
        if start > end:  # ISO dates compare as strings
            query[RANGE[0]], query[RANGE[1]] = end, start
