"""Change types (異動の種類): each knows how to assess an intake and how to register it (本登録)."""
