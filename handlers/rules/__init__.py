"""Pure rules over plain data: no database, no Flask."""
