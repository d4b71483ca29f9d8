-- What each SMTP transaction carried: the hashes of the notice's documents when it was tried.
-- notice_documents holds only the latest build; a bounced notice that is rebuilt keeps here the
-- evidence of every earlier send.
CREATE TABLE IF NOT EXISTS notice_delivery_documents (
    delivery_id INTEGER NOT NULL REFERENCES notice_deliveries (id),
    document    TEXT NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, document)
);
