"""Task ids in paths read exactly: plain decimal digits, or no route matches.

The query's integers and booleans are read as exactly, by app/exact_values.py.
"""

from starlette.convertors import Convertor, register_url_convertor

# Ids are BIGINT: at most 2**63 - 1, which has 19 digits. A path segment that is not an id
# written this way matches no route (404), so `/tasks/counts` is never read as an id.
TASK_ID_MAX = 2**63 - 1
_TASK_ID_DIGITS = "[1-9][0-9]{0,18}"


class TaskIdConvertor(Convertor[int]):
    regex = _TASK_ID_DIGITS

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("task_id", TaskIdConvertor())
