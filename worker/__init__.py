"""Celery app and tasks: ids in, call handlers, nothing else."""
