"""The operators' room: admin commands (reload, stats, subscribers, broadcast), feeds,
news ingest, automatic reloads, backups."""
