"""The platform every feature stands on: application wiring (`app`, the composition root),
settings, start and stop, logging, errors, the per-chat concurrency and rate limits,
monitoring, and what all features show with (cards, rendering, keyboards, texts)."""
