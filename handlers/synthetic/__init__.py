"""Synthetic residents: a deterministic generator and a fast bulk loader (demo data, tests, benchmarks)."""

from handlers.synthetic.generator import SyntheticBatch, generate_residents
from handlers.synthetic.loader import LoadReport, bulk_load
from handlers.synthetic.places import Place

__all__ = ["LoadReport", "Place", "SyntheticBatch", "bulk_load", "generate_residents"]
