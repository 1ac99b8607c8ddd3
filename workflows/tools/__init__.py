"""Developer tools for the BPMN files (not imported by the application)."""
