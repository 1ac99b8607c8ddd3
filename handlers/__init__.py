"""The domain: every rule and use case, called by every door (web, API, BPMN, CSV, Celery)."""
