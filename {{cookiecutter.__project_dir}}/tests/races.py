"""Two requests racing to create one row, played in one: the other inserts it just in time.

Both look for the row, both find none, and both insert it; the second insert is refused.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.base import Base


@contextmanager
def inserted_meanwhile(model: type[Base], rows: dict[str, dict[str, Any]]) -> Iterator[None]:
    """Insert each row just after a request looked for it in vain, as another request would.

    `rows` are keyed by the value the look-up asks for (a key, a subject); each is inserted
    once, and taken out of `rows`.
    """

    def other_request_inserts(state: ORMExecuteState) -> Result[Any] | None:
        if not isinstance(state.statement, Select):
            return None
        asked = [value for value in state.statement.compile().params.values() if value in rows]
        if not asked:
            return None
        found = state.invoke_statement().freeze()
        if not found().all():
            row = rows.pop(asked[0])
            state.session.connection().execute(insert(model).values(**row))
        return found()

    # Every session: the app's, async or not, runs a sync Session underneath.
    event.listen(Session, "do_orm_execute", other_request_inserts)
    try:
        yield
    finally:
        event.remove(Session, "do_orm_execute", other_request_inserts)
