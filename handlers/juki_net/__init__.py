"""住基ネット CS, our side of the interfaces of j1100 (整合性確認), j1120 (カード管理システム連携) and j1140
(符号の取得): what goes to CS through the outbox and what CS sends back as files (docs/integration.md)."""
