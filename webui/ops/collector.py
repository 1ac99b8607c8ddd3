"""A Prometheus collector that reads the operational gauges through ``handlers.ops_metrics`` on each scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from handlers.db import Database
from handlers.ops_metrics import read_ops_snapshot


class OpsCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = read_ops_snapshot(self.db)
        tasks = GaugeMetricFamily(
            "jumin_open_case_tasks", "Open (ready or claimed) case tasks by role", labels=["role"]
        )
        ages = GaugeMetricFamily(
            "jumin_oldest_open_case_task_age_seconds",
            "Age of the oldest open case task by role",
            labels=["role"],
        )
        for role, count in sorted(snap.open_tasks.items()):
            tasks.add_metric([role], count)
            ages.add_metric([role], snap.oldest_task_age.get(role, 0.0))
        yield tasks
        yield ages
        yield GaugeMetricFamily(
            "jumin_outbox_pending_messages", "Notices waiting for delivery", value=snap.outbox_pending
        )
        yield GaugeMetricFamily(
            "jumin_outbox_lag_seconds",
            "Age of the oldest pending notice (0 when none)",
            value=snap.outbox_lag_seconds,
        )
        yield GaugeMetricFamily(
            "jumin_outbox_dead_letters",
            "Notices whose delivery failed for good (dead)",
            value=snap.outbox_dead_letters,
        )
        yield GaugeMetricFamily(
            "jumin_overdue_cases", "Open cases past their legal due date", value=snap.overdue_cases
        )
