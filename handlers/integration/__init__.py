"""Adapters that carry outbox notices to other systems: the message format of each destination
(``messages``), the transports (``http_json``, ``file_drop``, ``relay_route``), the character conversion for
住基ネット (``charset``) and the 宛名連携 subscribers (``subscribers``).  Formats: docs/integration.md."""
