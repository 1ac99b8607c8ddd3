"""Register A use cases: numbering, validation, registration, history, search and the record view."""
