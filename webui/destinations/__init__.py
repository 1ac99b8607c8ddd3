"""連携先の設定 (per-tenant destinations of the outbox: CS, 団体内統合宛名, 宛名連携, 戸籍附票, 中継)."""
