"""What the bulk loader writes (COPY text for PostgreSQL, parameter tuples for SQLite), built from each
person's items and cached household parts, is exactly the table rows of the generated persons, with the
snapshot ``snapshot_of`` takes; and batches planned in advance number everyone in sequence, whatever the
order or process that makes them."""

from __future__ import annotations

import copy
import datetime as dt
from itertools import pairwise
from typing import Any

import orjson
import pytest

from handlers.synthetic import Place, generate_residents
from handlers.synthetic.copy_text import IdBlocks, copy_line, copy_payload
from handlers.synthetic.copy_writer import CopyEncoder
from handlers.synthetic.generator import PersonBatch, SyntheticGenerator, table_rows
from handlers.synthetic.loader import _made_batches
from handlers.synthetic.plan import plan_batches, plan_households
from handlers.synthetic.rows import snapshot_by_handler
from handlers.synthetic.sqlite_writer import SqliteEncoder
from handlers.synthetic.tables import HISTORY_COLUMNS, HOUSEHOLD_COLUMNS, NULL_COLUMNS, RESIDENT_COPY_COLUMNS
from models.snapshot import compact_snapshot

AS_OF = dt.date(2026, 11, 26)
YOKOHAMA = Place("141003", "横浜市", "神奈川県", (("141011", "鶴見区"), ("141046", "中区")))
TENANT, SEED, COUNT = 7, 11, 3000
HOUSEHOLD_ID, RESIDENT_ID = 100, 5000  # first reserved ids


def _generator() -> SyntheticGenerator:
    return SyntheticGenerator(TENANT, SEED, YOKOHAMA, AS_OF, first_atena=1, first_household=1)


def _made(batch: int = 1000) -> list[PersonBatch]:
    generator = _generator()
    return [generator.batch(plan) for plan in plan_batches(plan_households(TENANT, COUNT, SEED), batch)]


def _reference_rows(
    made: PersonBatch,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The batch's table rows with their ids, and each history row's snapshot as ``snapshot_of`` takes it."""
    rows = table_rows(TENANT, copy.deepcopy(made))
    household_ids = dict(zip((h["household_number"] for h in rows.households), range(10**9), strict=False))
    by_atena = {r["atena_number"]: r for r in rows.residents}
    for i, resident in enumerate(rows.residents):
        resident["id"] = RESIDENT_ID + made.plan.first_resident + i
        resident["household_id"] = (
            HOUSEHOLD_ID + made.plan.first_household + household_ids[resident["household_number"]]
        )
    for household in rows.households:
        household["id"] = (
            HOUSEHOLD_ID + made.plan.first_household + household_ids[household["household_number"]]
        )
        household["head_resident_id"] = by_atena[household["head_atena_number"]]["id"]
    by_number = {h["household_number"]: h for h in rows.households}
    for resident, history in zip(rows.residents, rows.history, strict=True):
        household = by_number[resident["household_number"]]
        history["resident_id"] = resident["id"]
        history["snapshot"] = compact_snapshot(
            snapshot_by_handler(resident, household, by_atena[household["head_atena_number"]])
        )
    return rows.households, rows.residents, rows.history


def _ids() -> tuple[IdBlocks, IdBlocks]:
    return IdBlocks([(HOUSEHOLD_ID, COUNT)]), IdBlocks([(RESIDENT_ID, COUNT)])


@pytest.mark.req("j130", "j200")
def test_copy_text_is_the_copy_text_of_the_table_rows_with_the_handlers_snapshot() -> None:
    encode = CopyEncoder(TENANT, *_ids())
    for made in _made():
        households, residents, history = _reference_rows(made)
        encoded = encode(copy.deepcopy(made))
        assert encoded.households == copy_payload(households, HOUSEHOLD_COLUMNS)
        assert encoded.residents == copy_payload(residents, RESIDENT_COPY_COLUMNS)
        assert all(r[c] is None for r in residents for c in NULL_COLUMNS)  # left to the database's NULL
        lines = encoded.history.decode().splitlines()
        assert len(lines) == len(history) == encoded.history_count
        for line, row in zip(lines, history, strict=True):
            fields, document = line.rsplit("\t", 1)
            assert fields + "\n" == copy_line([row[c] for c in HISTORY_COLUMNS[:-1]])
            assert orjson.loads(document) == orjson.loads(orjson.dumps(row["snapshot"]))


@pytest.mark.req("j130")
def test_items_that_need_escaping_are_written_escaped() -> None:
    made = _made()[0]
    made.persons[0]["family_name"] = 'tab\there "quoted"'
    made.persons[1]["previous_address"] = "back\\slash\nnewline"
    made.households[-1]["address_katagaki"] = "棟\\3"
    households, residents, history = _reference_rows(made)
    encoded = CopyEncoder(TENANT, *_ids())(copy.deepcopy(made))
    assert encoded.residents == copy_payload(residents, RESIDENT_COPY_COLUMNS)
    assert encoded.households == copy_payload(households, HOUSEHOLD_COLUMNS)
    lines = encoded.history.decode().split("\n")[:-1]
    for line, row in zip(lines, history, strict=True):
        fields, document = line.rsplit("\t", 1)
        assert fields + "\n" == copy_line([row[c] for c in HISTORY_COLUMNS[:-1]])
        assert orjson.loads(document.replace("\\\\", "\\")) == orjson.loads(orjson.dumps(row["snapshot"]))
    assert (
        "tab\\there" in encoded.residents.decode() and "back\\\\slash\\nnewline" in encoded.residents.decode()
    )


@pytest.mark.req("j130", "j200")
def test_sqlite_tuples_are_the_table_rows_with_the_handlers_snapshot() -> None:
    def stored(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    encode = SqliteEncoder(TENANT, *_ids())
    for made in _made():
        households, residents, history = _reference_rows(made)
        encoded = encode(copy.deepcopy(made))
        assert encoded.heads == [(h["head_resident_id"], h["id"]) for h in households]
        assert encoded.households == [
            tuple(None if c == "head_resident_id" else stored(h[c]) for c in HOUSEHOLD_COLUMNS)
            for h in households
        ]
        assert encoded.residents == [tuple(stored(r[c]) for c in RESIDENT_COPY_COLUMNS) for r in residents]
        for values, row in zip(encoded.history, history, strict=True):
            assert values[:-1] == tuple(stored(row[c]) for c in HISTORY_COLUMNS[:-1])
            assert orjson.loads(values[-1]) == orjson.loads(orjson.dumps(row["snapshot"]))


@pytest.mark.req("j130")
def test_batches_made_in_any_order_or_process_are_the_same() -> None:
    generator = _generator()
    plans = plan_batches(plan_households(TENANT, COUNT, SEED), 700)
    in_order = [CopyEncoder(TENANT, *_ids())(generator.batch(plan)) for plan in plans]
    backwards = [CopyEncoder(TENANT, *_ids())(_generator().batch(plan)) for plan in reversed(plans)]
    assert backwards[::-1] == in_order
    forked = list(_made_batches(_generator(), plans, CopyEncoder(TENANT, *_ids()), processes=2))
    assert forked == in_order


@pytest.mark.req("j130")
def test_numbers_run_in_sequence_without_gaps_whatever_the_batch_size() -> None:
    def flat(batch: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        batches = list(generate_residents(TENANT, COUNT, SEED, place=YOKOHAMA, as_of=AS_OF, batch=batch))
        return [h for b in batches for h in b.households], [r for b in batches for r in b.residents]

    households, residents = flat(20_000)
    assert (households, residents) == flat(500)
    assert [int(r["atena_number"][:-1]) for r in residents] == list(range(1, COUNT + 1))
    assert [int(h["household_number"][:-1]) for h in households] == list(range(1, len(households) + 1))
    assert all(a["household_number"] <= b["household_number"] for a, b in pairwise(residents))


class _FailingEncoder(CopyEncoder):
    def __call__(self, made: PersonBatch) -> Any:
        if made.plan.index == 1:
            raise ValueError("broken batch")
        return super().__call__(made)


@pytest.mark.req("j130")
def test_a_generator_process_that_fails_fails_the_load() -> None:
    plans = plan_batches(plan_households(TENANT, COUNT, SEED), 700)
    made = _made_batches(_generator(), plans, _FailingEncoder(TENANT, *_ids()), processes=2)
    with pytest.raises(RuntimeError, match="stopped early"):
        list(made)


@pytest.mark.parametrize("encoder", [CopyEncoder, SqliteEncoder])
def test_a_person_with_an_item_outside_the_columns_is_refused_by_either_encoder(encoder: Any) -> None:
    made = copy.deepcopy(next(iter(_made())))
    made.persons[0]["not_a_column"] = "x"
    with pytest.raises(ValueError, match="not_a_column"):
        encoder(TENANT, *_ids())(made)


def test_sqlite_batches_cross_the_pipe_unchanged() -> None:
    import multiprocessing
    import threading

    made = next(iter(_made()))
    encoded = SqliteEncoder(TENANT, *_ids())(copy.deepcopy(made))
    reader, writer = multiprocessing.Pipe(duplex=False)
    sender = threading.Thread(target=SqliteEncoder.send, args=(writer, encoded))  # the pipe holds 64 KiB
    sender.start()
    assert SqliteEncoder.receive(reader, made.plan) == encoded
    sender.join()
