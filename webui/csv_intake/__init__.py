"""The CSV intake pages (j1430) and the bulk address change (住所一括変更, j1340)."""
