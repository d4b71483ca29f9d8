"""The sub-processor register (art. 4.1–4.3): read, lint, diff, per-customer list and notices."""
