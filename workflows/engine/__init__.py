"""The BPMN case engine: the only package that imports SpiffWorkflow.

Modules, one idea each: ``lanes`` (lane → role), ``registry`` (service-task operators), ``safe_env``
(restricted expressions and scripts), ``loader`` (parse, validate, version store), ``store`` (save and
restore a workflow, rebuild the task queue and timers), ``runner`` (the case API used by handlers).
"""
