-- The customer registry: one row per customer, personal data kept outside git.
CREATE TABLE customers (
    customer_id        TEXT PRIMARY KEY,
    company_name       TEXT NOT NULL,
    kvk                TEXT NOT NULL,
    street             TEXT NOT NULL,
    postcode           TEXT NOT NULL,
    city               TEXT NOT NULL,
    contact_name       TEXT NOT NULL,
    contact_email      TEXT NOT NULL,
    signatory_name     TEXT NOT NULL,
    signatory_role     TEXT NOT NULL,
    services           TEXT NOT NULL,  -- service ids separated by ';', in catalogue order
    version            TEXT NOT NULL,
    signed_on          TEXT NOT NULL,  -- ISO date
    btw_id             TEXT NOT NULL DEFAULT '',
    contact_salutation TEXT NOT NULL DEFAULT ''
) STRICT;
