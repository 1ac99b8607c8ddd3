"""audit_log pages."""
