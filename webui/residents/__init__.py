"""residents pages."""
