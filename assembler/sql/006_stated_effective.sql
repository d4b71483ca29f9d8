-- The effective date each revision notice's letter states: the version's E, or for a late notice
-- the customer's own date. A notice binds from the later of that date and the first day its
-- receipt allows, so the registry must know what the letter said, per build and per
-- transaction (a bounced notice built again states another date). NULL: not a revision notice,
-- or built before this was recorded (the version's E applies, as before).
ALTER TABLE notices ADD COLUMN states_effective TEXT;
ALTER TABLE notice_deliveries ADD COLUMN states_effective TEXT;
