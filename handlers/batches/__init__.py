"""Batches (j1280): a registry, schedules (once, daily, weekly, monthly, month-end), runs now or when due with
a full result log, remembered parameters and failure alerts."""

from handlers.batches.registry import BATCHES, transitional_stay_alert
from handlers.batches.runner import (
    batch_overview,
    batch_run,
    failed_runs,
    run_batch_now,
    run_due,
    save_schedule,
)
from handlers.batches.schedule import FREQUENCIES, WEEKDAYS, next_run

__all__ = [
    "BATCHES", "FREQUENCIES", "WEEKDAYS", "batch_overview", "batch_run", "failed_runs", "next_run", "run_batch_now",
    "run_due", "save_schedule", "transitional_stay_alert",
]  # fmt: skip
