-- The notice ledger: which notice went to whom, when, with which documents, and what followed.
CREATE TABLE IF NOT EXISTS notices (
    contract     TEXT NOT NULL,
    version      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    from_version TEXT NOT NULL,
    reference    TEXT NOT NULL,
    address      TEXT NOT NULL,
    message_id   TEXT NOT NULL UNIQUE,
    eml_path     TEXT NOT NULL,
    eml_sha256   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
    built_at     TEXT NOT NULL,
    sent_at      TEXT,
    reply_code   INTEGER,
    reply        TEXT,
    PRIMARY KEY (contract, version, customer_id)
);
CREATE TABLE IF NOT EXISTS notice_documents (
    contract    TEXT NOT NULL,
    version     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('letter', 'email', 'redline', 'contract')),
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (contract, version, customer_id, kind),
    FOREIGN KEY (contract, version, customer_id)
        REFERENCES notices (contract, version, customer_id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS notice_deliveries (
    id          INTEGER PRIMARY KEY,
    contract    TEXT NOT NULL,
    version     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    address     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT CHECK (outcome IN ('sent', 'failed', 'unknown')),
    reply_code  INTEGER,
    reply       TEXT,
    attempts    INTEGER
);
CREATE TABLE IF NOT EXISTS notice_events (
    id          INTEGER PRIMARY KEY,
    contract    TEXT NOT NULL,
    version     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('bounced', 'objected', 'terminated')),
    on_date     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notice_deliveries_by_notice
    ON notice_deliveries (contract, version, customer_id);
CREATE INDEX IF NOT EXISTS notice_events_by_notice ON notice_events (contract, version, customer_id);
