"""BPMN 2.0 process files (one per process, named after it) and the engine that runs them."""
