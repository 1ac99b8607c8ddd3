"""Rows written with less of the unit of work's bookkeeping, on the hot paths of a case.

``insert_rows``: new ORM rows written by one prebuilt Core INSERT instead of the unit of work, and left in
the session as the flush leaves the rows it inserts: persistent, every attribute committed, forgotten again
(expunged) when the transaction or SAVEPOINT they were written in rolls back.

``update_rows``: the changed columns of persistent rows written by one prebuilt UPDATE per row, with the
flush's version check (``StaleDataError`` when another transaction changed the row meanwhile) and its tenant
rule, the rows left clean and forgotten (expired) with a rolled-back SAVEPOINT as the flush leaves them.

``assign_changed``: set only the attributes whose value differs, so a row given the values it already has
stays clean (the flush visits every modified row, ≈ 0.3–0.5 ms of CPU each, even to find nothing to write).

The rows are the ones a hot path creates and goes on using as objects (a case's task rows, the persons and
history rows of a 本登録): callers keep their ORM rows, relationships and later ORM updates, and skip the
flush's bookkeeping, which costs about half a millisecond of CPU per flush of a few rows against a tenth for
the statement itself.  The INSERT is the one the flush would send: the same columns and values (Python
defaults computed the same way, a server default left to the database and read back with the key, the
version counter at its first value, each many-to-one's foreign key taken from its row), the row's tenant
claimed and checked by the flush's own rule (``tenancy.admit_new_row``).  Rows this helper does not handle
exactly like the flush (mapper events, a related row not yet written, children in a collection, a default
that is a SQL expression) are left to a plain ``session.flush()``, which writes them as before.

``run_prebuilt``: one of these prebuilt statements (or a prebuilt SELECT or ``text()``) with one set of
parameters, on PostgreSQL sent on the session's own connection (same transaction) by the driver's cursor
(one cursor kept per connection), compiled once: SQLAlchemy's execution
(cache key, execution context, result set-up) costs about as much client CPU again as the driver's
(≈ 0.1 ms per statement).  Everything a caller or a listener sees of a statement stays: the parameters
processed by the same bind processors, ``before_cursor_execute`` and ``after_cursor_execute`` fired with the
statement and parameters as sent, a driver error raised as SQLAlchemy raises it
(``Connection._handle_dbapi_exception``).  Statements whose results or parameters SQLAlchemy would process
further, and other databases, go through ``Connection.execute``.  ``loaded_row`` makes a row read so an ORM
row, as a query would load it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Column,
    Insert,
    Integer,
    Table,
    Update,
    bindparam,
    insert,
    inspect,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy import column as sql_column
from sqlalchemy import values as sql_values
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import MultipleResultsFound
from sqlalchemy.orm import InstanceState, Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history, set_committed_value
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement, Null

from handlers.tenancy import admit_changed_row, admit_new_row


def insert_rows(session: Session, rows: Sequence[Any]) -> None:
    """Write those of ``rows`` (objects of one mapped class) that are pending in ``session`` with one
    INSERT … RETURNING their keys, and make them persistent; any other pending change stays for the next
    flush."""
    states = [state for state in map(inspect, rows) if state.pending]
    if not states:
        return
    rows = [state.obj() for state in states]
    mapper: Mapper[Any] = states[0].mapper
    plan = _plan(mapper)
    if plan is None or any(state.mapper is not mapper or state.session is not session for state in states):
        session.flush()
        return
    for row in rows:
        admit_new_row(session, row)
    params = []
    for state in states:
        values = _row_values(plan, state.dict)
        if values is None:
            session.flush()
            return
        params.append(values)
    returned = plan.returned(params[0])
    if any(plan.returned(values) != returned for values in params[1:]):
        session.flush()  # some rows set a server-defaulted column and others not: one statement cannot
        return
    result = (
        run_prebuilt(session, plan.statement(returned), params[0]).rows
        if len(params) == 1
        else _insert_several(session, plan, returned, params)
    )
    attribute_of = plan.attribute_of
    for state, values, back in zip(states, params, result, strict=True):
        state_dict = state.dict
        for column, value in zip(returned, back, strict=True):
            values[column.key] = value
        for key, value in values.items():
            state_dict[attribute_of[key]] = None if value.__class__ is Null else value
    session._register_persistent(set(states))  # as the flush finishes: committed, known to the transaction
    _commit_back_references(plan, states)


MAX_ROWS_PREBUILT = 100  # more rows in one INSERT: SQLAlchemy's insertmanyvalues (it pages them)


def _insert_several(
    session: Session, plan: _Plan, returned: tuple[Column[Any], ...], params: list[dict[str, Any]]
) -> Sequence[Sequence[Any]]:
    """Rows of one INSERT of several rows, in the order of ``params``.  When the table's key is a serial
    integer the database makes, every row gives the same columns and no value is SQL NULL by ``null()``:
    one prebuilt ``INSERT … SELECT … FROM (VALUES …) ORDER BY`` (the statement SQLAlchemy's insertmanyvalues
    renders, compiled once per row count and columns) by ``run_prebuilt``, its rows sorted by key (the
    keys are drawn in the order the rows are inserted, as SQLAlchemy's own sorting relies on); else
    ``Connection.execute`` as before."""
    keys = tuple(params[0])
    conn = session.connection()
    if (
        plan.serial_key
        and conn.dialect.driver == "psycopg"
        and len(params) <= MAX_ROWS_PREBUILT
        and plan.key_column.key not in keys
        and all(tuple(values) == keys for values in params)
        and not any(value.__class__ is Null for values in params for value in values.values())
    ):
        flat = {
            f"{key}__{index}": value for index, values in enumerate(params) for key, value in values.items()
        }
        rows = run_prebuilt_on(conn, plan.several_statement(returned, keys, len(params)), flat).rows
        return sorted(rows, key=lambda row: row[0])
    return list(conn.execute(plan.statement(returned), params))


def update_rows(
    session: Session, rows: Sequence[Any], along: tuple[Executable, dict[str, Any]] | None = None
) -> None:
    """Write each of ``rows`` that has changed columns with one UPDATE of them; a row with other pending
    changes (a relationship), or of a mapper the flush must write, goes to ``session.flush()`` instead.
    ``along``: a prebuilt DELETE or UPDATE (no RETURNING) and its parameters, run in the statement of the first
    row written (PostgreSQL: ``WITH along AS (…) UPDATE …``), else on its own after the rows."""
    for row in rows:
        state = inspect(row)
        if not state.modified or not state.persistent or state.session is not session:
            continue
        plan = _plan(state.mapper)
        changed = None if plan is None else _changed_columns(plan, state)
        if plan is None or changed is None:
            session.flush()
            break
        if not changed:
            continue
        admit_changed_row(session, row)
        params = {f"new_{key}": state.dict[plan.attribute_of[key]] for key in changed}
        params["row_key"] = state.identity[0]
        version_key = plan.version_key
        if version_key is not None:
            old = state.committed_state.get(
                plan.attribute_of[version_key], state.dict[plan.attribute_of[version_key]]
            )
            params["old_version"] = old
            params[f"new_{version_key}"] = plan.generate_version(old)
        stmt = plan.update_statement(changed)
        ran = _run_along(session, along, stmt, params) if along is not None else None
        if ran is not None:
            along = None
        else:
            ran = run_prebuilt(session, stmt, params)
        if ran.rowcount != 1:
            raise stale_row(plan.table.name)
        if version_key is not None:
            state.dict[plan.attribute_of[version_key]] = params[f"new_{version_key}"]
        session._register_persistent({state})  # as the flush finishes: committed, known to the transaction
    if along is not None:
        run_prebuilt(session, *along)


def _run_along(
    session: Session, along: tuple[Executable, dict[str, Any]], stmt: Executable, params: dict[str, Any]
) -> Ran | None:
    """``along`` and the UPDATE ``stmt`` in one statement (its row count the UPDATE's), or None: not on this
    driver, a statement ``Connection.execute`` must run, or parameters of the same name."""
    conn = session.connection()
    if conn.dialect.name != "postgresql" or set(along[1]) & set(params):
        return None
    first, then = _thin(along[0], conn.dialect, tuple(along[1])), _thin(stmt, conn.dialect, tuple(params))
    if first is None or then is None or first[1]._result_columns:
        return None
    sent = {**first[1].construct_params(along[1]), **then[1].construct_params(params)}
    for key, process in {**first[2], **then[2]}.items():
        if key in sent:
            sent[key] = process(sent[key])
    return _send(conn, f"WITH along AS ({first[0]}) {then[0]}", sent, many=False)


def loaded_row(
    session: Session, mapped: type[Any], row: Sequence[Any], columns: Sequence[str] | None = None
) -> Any:
    """The persistent ORM row of ``row`` (every column of ``mapped``'s table, in table order, as read by a
    prebuilt SELECT of the session's transaction), as a query would give it: the one the session already
    holds for its key, else a new one with every column loaded and nothing changed (relationships load when
    first used), without the ORM's loading machinery.  ``columns``: the keys of the columns ``row`` holds,
    in its order, when it is not every column (the others are left unloaded, as a deferred column: read when
    first used)."""
    mapper: Mapper[Any] = inspect(mapped)
    plan = _plan(mapper)
    if plan is None:
        raise ValueError(f"{mapped.__name__}: rows of this mapper are loaded by the ORM")
    attributes = plan.attributes_in_order if columns is None else [plan.attribute_of[c] for c in columns]
    key_index = plan.key_index if columns is None else list(columns).index(plan.key_column.key)
    key = mapper.identity_key_from_primary_key((row[key_index],))
    known = session.identity_map.get(key)
    if known is not None:
        return known
    obj = mapper.class_manager.new_instance()
    state_dict = inspect(obj).dict
    for attribute, value in zip(attributes, row, strict=True):
        state_dict[attribute] = value
    make_transient_to_detached(obj)  # loaded as it stands: its attributes committed, its key set
    session.add(obj)  # persistent in the session (no statement)
    return obj


class Ran:
    """What a statement run by ``run_prebuilt`` gave: its rows (tuples) and the rows it matched."""

    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: Sequence[Sequence[Any]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def scalar_one_or_none(self) -> Any:
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self.rows[0][0] if self.rows else None


def run_prebuilt(session: Session, statement: Executable, params: dict[str, Any]) -> Ran:
    """Execute ``statement`` (built once and kept by the caller: an INSERT, UPDATE or DELETE, a SELECT or a
    ``text()``) with ``params`` in the session's transaction; see the module's description."""
    return run_prebuilt_on(session.connection(), statement, params)


def run_prebuilt_on(conn: Connection, statement: Executable, params: dict[str, Any]) -> Ran:
    """``run_prebuilt`` on a connection already in the transaction (a session event's connection)."""
    thin = _thin(statement, conn.dialect, tuple(params))
    if thin is None:
        result = conn.execute(statement, params)
        if result.returns_rows:  # (SQLite counts the rows of an UPDATE … RETURNING as they are fetched)
            rows = result.all()
            return Ran(rows, len(rows))
        return Ran((), result.rowcount)
    sql, compiled, processors = thin
    sent = compiled.construct_params(params)
    for key, process in processors.items():
        if key in sent:
            sent[key] = process(sent[key])
    return _send(conn, sql, sent, many=False)


def run_prebuilt_many(session: Session, statement: UpdateBase, rows: Sequence[dict[str, Any]]) -> None:
    """Execute ``statement`` (built once, without RETURNING) once for each parameter set of ``rows`` (the
    same keys in each), with one ``executemany`` as ``Connection.execute`` sends it."""
    if len(rows) == 1:
        run_prebuilt(session, statement, rows[0])
        return
    conn = session.connection()
    keys = tuple(rows[0]) if rows else ()
    thin = None
    if rows and not statement._returning and all(tuple(row) == keys for row in rows):
        thin = _thin(statement, conn.dialect, keys)
    if thin is None:
        conn.execute(statement, list(rows))
        return
    sql, compiled, processors = thin
    sent = [compiled.construct_params(row) for row in rows]
    for key, process in processors.items():
        for values in sent:
            if key in values:
                values[key] = process(values[key])
    _send(conn, sql, sent, many=True)


def _send(conn: Connection, sql: str, sent: Any, *, many: bool) -> Ran:
    """``sql`` with its processed parameters (a list of them when ``many``) on the connection's driver cursor,
    between the cursor events ``Connection.execute`` fires, a driver error raised as it raises it."""
    cursor = _driver_cursor(conn)
    events = conn._has_events or conn.engine._has_events
    try:
        if events:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, sent, None, many)
        if many:
            cursor.executemany(sql, sent)
        else:
            cursor.execute(sql, sent)
        if events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, sent, None, many)
        ran = Ran(cursor.fetchall() if not many and _has_columns(cursor) else (), cursor.rowcount)
    except BaseException as error:
        conn._handle_dbapi_exception(error, sql, sent, cursor, None)
    return ran


def _has_columns(cursor: Any) -> bool:
    """Whether the statement gave a result with columns (rows to fetch), read from psycopg's result itself:
    ``cursor.description`` would make a ``Column`` object of each column (≈ 9 µs for a row of 18)."""
    result = cursor.pgresult
    return result is not None and result.nfields > 0


CURSOR_KEY = "jumin_prebuilt_cursor"


def _driver_cursor(conn: Connection) -> Any:
    """The cursor ``_send`` uses on this driver connection, made once per connection and kept with it (in the
    pool's record of the connection): a psycopg cursor is reusable, and each new one copies the connection's
    adapters.  Each statement's rows are fetched before the next one runs."""
    pooled = conn.connection
    dbapi_connection = pooled.dbapi_connection
    kept = pooled.info.get(CURSOR_KEY)
    if kept is not None and kept[0] is dbapi_connection and not kept[1].closed:
        return kept[1]
    cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
    pooled.info[CURSOR_KEY] = (dbapi_connection, cursor)
    return cursor


_Thin = tuple[str, SQLCompiler, dict[str, Callable[[Any], Any]]]
_THIN: dict[tuple[int, Dialect, tuple[str, ...]], tuple[Executable, _Thin | None]] = {}


def _thin(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Thin | None:
    """The statement compiled once for ``dialect`` and parameters ``keys`` (an INSERT's columns are the ones
    given), or None: let ``Connection.execute`` run it (a default or ``onupdate`` computed in Python, an
    expanding parameter, a result or a value SQLAlchemy processes further, another driver)."""
    known = _THIN.get((id(statement), dialect, keys))
    if known is not None and known[0] is statement:
        return known[1]
    thin = None
    if dialect.driver == "psycopg":
        compiled = cast(
            SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(keys))
        )
        plain = not (
            compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.positiontup is not None
        )
        results = [column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns]
        processors = compiled._bind_processors
        if plain and not any(results) and all(callable(process) for process in processors.values()):
            thin = (compiled.string, compiled, cast(dict[str, Callable[[Any], Any]], dict(processors)))
    _THIN[(id(statement), dialect, keys)] = (statement, thin)
    return thin


def stale_row(table_name: str) -> StaleDataError:
    """The flush's error for a versioned UPDATE that matched no row (another transaction changed it)."""
    return StaleDataError(
        f"UPDATE statement on table '{table_name}' expected to update 1 row(s); 0 were matched."
    )


def _changed_columns(plan: _Plan, state: InstanceState[Any]) -> tuple[str, ...] | None:
    """The columns whose value differs from the committed one, or None: a change the flush must write."""
    changed = []
    for attribute, old in state.committed_state.items():
        key = plan.column_of.get(attribute)
        if key is None or key == plan.version_key or key == plan.key_column.key:
            return None  # a relationship, the version or the key changed by hand: the flush's work
        if old is NO_VALUE or old != state.dict.get(attribute):
            changed.append(key)
    return tuple(sorted(changed))


def _commit_back_references(plan: _Plan, states: list[InstanceState[Any]]) -> None:
    """A collection on the other side of a many-to-one (a household's members) that only gained rows written
    here is committed as it stands: its foreign keys are written, and the next flush would only check them."""
    written = {state.obj() for state in states}
    seen: set[tuple[int, str]] = set()
    for state in states:
        for key, collection in plan.back_collections:
            related = state.dict.get(key)
            if related is None or (id(related), collection) in seen:
                continue
            seen.add((id(related), collection))
            history = get_history(related, collection, passive=PASSIVE_NO_INITIALIZE)
            if history.deleted or not history.added or not set(history.added) <= written:
                continue
            set_committed_value(related, collection, list(getattr(related, collection)))


def assign_changed(row: Any, **values: Any) -> None:
    """``setattr`` of each value that differs from the row's current one (equal values leave it clean)."""
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


class _Plan:
    """What a mapper's INSERT needs, worked out once per mapper."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.table: Table = mapper.local_table  # type: ignore[assignment]
        self.attribute_of = {
            column.key: mapper.get_property_by_column(column).key for column in self.table.columns
        }
        self.key_column: Column[Any] = mapper.primary_key[0]  # type: ignore[assignment]
        self.version_key = mapper.version_id_col.key if mapper.version_id_col is not None else None
        self.generate_version = cast(Callable[[Any], Any], mapper.version_id_generator)
        self.foreign_keys = [
            (prop.key, [(str(local.key), remote) for local, remote in prop.local_remote_pairs])
            for prop in mapper.relationships
            if prop.direction is MANYTOONE
        ]
        self.collections = [prop.key for prop in mapper.relationships if prop.direction is not MANYTOONE]
        self.back_collections = [
            (prop.key, reverse.key)
            for prop in mapper.relationships
            if prop.direction is MANYTOONE
            for reverse in prop._reverse_property
            if reverse.uselist
        ]
        self.server_defaulted = [
            column
            for column in self.table.columns
            if column.server_default is not None and column is not self.key_column
        ]
        self._statements: dict[tuple[str, ...], Insert] = {}
        self.columns = [
            (
                str(c.key),
                self.attribute_of[c.key],
                c is self.key_column,
                bool(c.type.should_evaluate_none),
                *_fill(self, c),
            )
            for c in self.table.columns
        ]  # (key, attribute, is the key, None is JSON null, how a None is filled, its argument)
        self._updates: dict[tuple[str, ...], Update] = {}
        key_type = self.key_column.type
        self.serial_key = (
            self.key_column.autoincrement in (True, "auto")
            and isinstance(key_type, Integer)
            and self.key_column.default is None
            and self.key_column.server_default is None
        )
        self._several: dict[tuple[tuple[str, ...], tuple[str, ...], int], Insert] = {}
        self.column_of = {attribute: column for column, attribute in self.attribute_of.items()}
        self.attributes_in_order = [self.attribute_of[c.key] for c in self.table.columns]
        self.key_index = list(self.table.columns).index(self.key_column)

    def update_statement(self, changed: tuple[str, ...]) -> Update:
        """UPDATE of the ``changed`` columns (and the version) of the row with key ``row_key`` (and version
        ``old_version``)."""
        stmt = self._updates.get(changed)
        if stmt is None:
            table, version = self.table, self.version_key
            names = (*changed, version) if version is not None else changed
            stmt = update(table).where(self.key_column == bindparam("row_key"))
            if version is not None:
                stmt = stmt.where(table.c[version] == bindparam("old_version"))
            stmt = self._updates[changed] = stmt.values({table.c[n]: bindparam(f"new_{n}") for n in names})
        return stmt

    def returned(self, values: dict[str, Any]) -> tuple[Column[Any], ...]:
        """The key, then the server-defaulted columns the row leaves to the database."""
        return (self.key_column, *(c for c in self.server_defaulted if c.key not in values))

    def several_statement(
        self, returned: tuple[Column[Any], ...], keys: tuple[str, ...], count: int
    ) -> Insert:
        """INSERT of ``count`` rows of columns ``keys`` (parameters ``<key>__<n>``) in their order, as
        SQLAlchemy's insertmanyvalues renders it, returning ``returned``."""
        names = tuple(column.key for column in returned)
        stmt = self._several.get((names, keys, count))
        if stmt is None:
            columns = [self.table.c[key] for key in keys]
            rows = sql_values(
                *(sql_column(f"p{index}", c.type) for index, c in enumerate(columns)),
                sql_column("sen_counter", Integer()),
                name="imp_sen",
            ).data(
                [
                    (*(bindparam(f"{c.key}__{n}", type_=c.type) for c in columns), literal_column(str(n)))
                    for n in range(count)
                ]
            )
            ordered = select(  # typed as the columns (a VALUES column of NULLs alone would be text)
                *(sql_cast(rows.c[f"p{index}"], c.type) for index, c in enumerate(columns))
            ).order_by(rows.c.sen_counter)
            stmt = insert(self.table).from_select(list(keys), ordered).returning(*returned)
            self._several[(names, keys, count)] = stmt
        return stmt

    def statement(self, returned: tuple[Column[Any], ...]) -> Insert:
        names = tuple(column.key for column in returned)
        stmt = self._statements.get(names)
        if stmt is None:
            stmt = self._statements[names] = insert(self.table).returning(
                *returned, sort_by_parameter_order=True
            )
        return stmt


@cache
def _plan(mapper: Mapper[Any]) -> _Plan | None:
    """None: a mapper whose rows the flush must write (events of its own, an unusual key or default)."""
    table = mapper.local_table
    if not isinstance(table, Table) or len(mapper.primary_key) != 1 or mapper.inherits is not None:
        return None
    if mapper.dispatch.before_insert or mapper.dispatch.after_insert:
        return None
    for column in table.columns:
        default = column.default
        if default is not None and not (default.is_scalar or default.is_callable):
            return None
    return _Plan(mapper)


def _row_values(plan: _Plan, state_dict: dict[str, Any]) -> dict[str, Any] | None:
    """The row's INSERT parameters as the flush builds them, or None: leave the row to the flush."""
    for key in plan.collections:
        if state_dict.get(key):
            return None  # children to write after their parent: the flush's work
    values: dict[str, Any] = {}
    for key, pairs in plan.foreign_keys:
        if key not in state_dict or state_dict[key] is None:
            continue
        related = inspect(state_dict[key])
        if related.key is None:
            return None  # the related row is not written yet
        for local, remote in pairs:
            values[local] = related.mapper._get_state_attr_by_column(related, related.dict, remote)
    get = state_dict.get
    for key, attribute, is_key, evaluates_none, fill, arg in plan.columns:
        if key in values:
            continue
        value = get(attribute)
        if value is None and not (evaluates_none and attribute in state_dict):
            if is_key or fill is _SERVER:
                continue  # a key or default the database makes comes back from the INSERT
            if fill is _SCALAR:
                value = arg
            elif fill is _CALLABLE or fill is _VERSION:
                value = arg(None)
            elif fill is _NULL:
                value = null()  # SQL NULL, as the flush leaves out such a column; None would be JSON null
        values[key] = value
    return values


# How a column the row leaves None is filled (``_Plan.columns``): as the flush fills it.
_NONE, _SCALAR, _CALLABLE, _SERVER, _NULL, _VERSION = (object() for _ in range(6))


def _fill(plan: _Plan, column: Column[Any]) -> tuple[object, Any]:
    if column.key == plan.version_key:
        return _VERSION, plan.generate_version
    if column.default is not None:
        arg = column.default.arg  # type: ignore[attr-defined]
        return (_CALLABLE if column.default.is_callable else _SCALAR), arg
    if column.server_default is not None:
        return _SERVER, None
    return (_NULL if column.type.should_evaluate_none else _NONE), None
