-- Each customer's agreement over time: the facts the registry learns after import, with their
-- evidence. What a customer signed at import stays in `customers`; the notices that reached them
-- are in the ledger (`notice_deliveries`, `notice_events`); the effective date of each version
-- the ledger announces is in `announced_versions`. The version in force is derived from these,
-- never stored.
CREATE TABLE IF NOT EXISTS customer_events (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    contract    TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL
                CHECK (kind IN ('signed', 'notice', 'countersigned', 'terminated', 'objected',
                                'destroyed')),
    version     TEXT NOT NULL DEFAULT '',
    on_date     TEXT NOT NULL,           -- ISO date, Europe/Amsterdam
    effective   TEXT,                    -- ISO date: E of a notice, end of a termination
    evidence    TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL            -- ISO 8601 UTC
);
CREATE INDEX IF NOT EXISTS customer_events_by_customer ON customer_events (customer_id, id);
CREATE TABLE IF NOT EXISTS announced_versions (
    contract    TEXT NOT NULL,
    version     TEXT NOT NULL,
    effective   TEXT NOT NULL,           -- ISO date from the version's manifest
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (contract, version)
);
