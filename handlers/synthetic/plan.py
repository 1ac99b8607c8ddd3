"""The shape of a synthetic load, drawn before any person is made: how many persons each household has,
which households are foreign, and how the households fall into batches.

Knowing every household's size in advance fixes where each batch starts (its first 宛名番号, 世帯番号 and
database ids), so batches can be made in any order or in several processes and still number every person
and household in sequence without gaps.  The persons of a household are drawn from the random stream of its
block of ``BLOCK`` households (seeded by the tenant, the seed and the block's position), so the data is a
function of the tenant, the seed and the count only, whatever the batch size or the number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.synthetic.people import SyntheticRandom, household_size

FOREIGN_SHARE = 0.025  # share of households of foreign residents
FOREIGN_MAX_SIZE = 4  # a foreign household is the head, a spouse and children (no parents of the head)
BLOCK = 64  # households drawn from one random stream; batches hold whole blocks


@dataclass(frozen=True)
class BatchPlan:
    """One batch: its households' sizes (negative for a foreign household) and where it starts in the load
    (0-based positions of its first household and first person)."""

    index: int
    first_household: int
    sizes: tuple[int, ...]
    first_resident: int
    residents: int


def plan_households(tenant_id: int, count: int, seed: int) -> list[int]:
    """The size of each household, in order, for ``count`` persons (negative: foreign; the last household
    is cut to the persons left)."""
    rng = SyntheticRandom(f"jumin-synthetic-plan:{tenant_id}:{seed}")
    sizes: list[int] = []
    remaining = count
    while remaining > 0:
        size = household_size(rng)
        foreign = rng.random() < FOREIGN_SHARE
        size = min(size, FOREIGN_MAX_SIZE, remaining) if foreign else min(size, remaining)
        sizes.append(-size if foreign else size)
        remaining -= size
    return sizes


def plan_batches(sizes: list[int], batch: int) -> list[BatchPlan]:
    """Whole blocks of households per batch, until the batch holds at least ``batch`` persons."""
    plans: list[BatchPlan] = []
    first_household = first_resident = 0
    while first_household < len(sizes):
        end, residents = first_household, 0
        while end < len(sizes) and residents < batch:
            block = sizes[end : end + BLOCK]
            residents += sum(abs(size) for size in block)
            end += len(block)
        plans.append(BatchPlan(len(plans), first_household, tuple(sizes[first_household:end]),
                               first_resident, residents))  # fmt: skip
        first_household, first_resident = end, first_resident + residents
    return plans


def block_random(tenant_id: int, seed: int, block: int) -> SyntheticRandom:
    """The random stream of the ``block``-th block of households."""
    return SyntheticRandom(f"jumin-synthetic:{tenant_id}:{seed}:{block}")
