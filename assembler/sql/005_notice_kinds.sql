-- One ledger for every kind of notice: revision (art. 11.2), sub-processor (art. 4.1), breach (art. 7).
-- A notice is keyed by (kind, contract, subject, customer_id); the subject is the version announced,
-- the sub-processor change id, or the incident id and phase. Every row already stored is a revision
-- notice and keeps its values. The tables are renamed first and dropped last, so that dropping the
-- old `notices` does not cascade into the documents before they are copied.
ALTER TABLE notices RENAME TO notices_rev;
ALTER TABLE notice_documents RENAME TO notice_documents_rev;
ALTER TABLE notice_events RENAME TO notice_events_rev;
DROP INDEX IF EXISTS notice_events_by_notice;
DROP INDEX IF EXISTS notice_deliveries_by_notice;

CREATE TABLE notices (
    kind         TEXT NOT NULL DEFAULT 'revision'
                 CHECK (kind IN ('revision', 'subprocessor', 'breach')),
    contract     TEXT NOT NULL,
    subject      TEXT NOT NULL,
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
    PRIMARY KEY (kind, contract, subject, customer_id)
);
CREATE TABLE notice_documents (
    kind        TEXT NOT NULL DEFAULT 'revision',
    contract    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    document    TEXT NOT NULL
                CHECK (document IN ('letter', 'email', 'redline', 'contract', 'list', 'report')),
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (kind, contract, subject, customer_id, document),
    FOREIGN KEY (kind, contract, subject, customer_id)
        REFERENCES notices (kind, contract, subject, customer_id) ON DELETE CASCADE
);
CREATE TABLE notice_events (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL DEFAULT 'revision',
    contract    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    event       TEXT NOT NULL
                CHECK (event IN ('bounced', 'objected', 'resolved', 'terminated')),
    on_date     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
ALTER TABLE notice_deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'revision';
ALTER TABLE notice_deliveries RENAME COLUMN version TO subject;

INSERT INTO notices SELECT 'revision', contract, version, customer_id, from_version, reference,
    address, message_id, eml_path, eml_sha256, state, built_at, sent_at, reply_code, reply
    FROM notices_rev;
INSERT INTO notice_documents SELECT 'revision', contract, version, customer_id, kind, name, sha256,
    size FROM notice_documents_rev;
INSERT INTO notice_events SELECT id, 'revision', contract, version, customer_id, event, on_date,
    recorded_at FROM notice_events_rev;
DROP TABLE notice_documents_rev;
DROP TABLE notice_events_rev;
DROP TABLE notices_rev;

CREATE INDEX notice_deliveries_by_notice
    ON notice_deliveries (kind, contract, subject, customer_id);
CREATE INDEX notice_events_by_notice ON notice_events (kind, contract, subject, customer_id);
