-- Stuurinformatie (issue 17). Each referral as the figures count it, kept in the same
-- transaction as every change to the referral (its status, feedback, an onward
-- referral made from it): no name, no reason, no text, only where the child lives, the
-- age band, who referred to whom and when each step happened. The dashboards read
-- these narrow rows along (gemeente, month), (team, month) or (practice, month)
-- instead of the referrals with their events and feedback.
CREATE TABLE referral_facts (
    referral_id TEXT NOT NULL PRIMARY KEY REFERENCES referrals(id),
    child_id TEXT NOT NULL,
    gemeente_code TEXT NOT NULL,
    wijk_code TEXT,
    from_org_id TEXT NOT NULL,
    verwijzer TEXT NOT NULL,
    team_id TEXT,
    to_org_id TEXT NOT NULL,
    to_team BOOLEAN NOT NULL,
    service_id TEXT,
    onward BOOLEAN NOT NULL,
    via_consultation BOOLEAN NOT NULL,
    age_band INTEGER NOT NULL,
    problem_areas TEXT NOT NULL,
    sent_on DATE,
    month INTEGER,
    accepted_on DATE,
    started_on DATE,
    ended_on DATE,
    outcome TEXT NOT NULL,
    referred_on BOOLEAN NOT NULL,
    accept_on_time BOOLEAN,
    interim_on_time BOOLEAN,
    completion_fed_back BOOLEAN,
    case_director_id TEXT,
    -- The interim moment passed and no interim feedback came yet.
    interim_missing BOOLEAN NOT NULL
);
CREATE INDEX referral_facts_gemeente ON referral_facts (gemeente_code, month);
CREATE INDEX referral_facts_team ON referral_facts (team_id, month);
CREATE INDEX referral_facts_from ON referral_facts (from_org_id, month);
-- The consultations that became a referral (the practices' figures ask it of a year's
-- questions at once; without it every referral is read).
CREATE INDEX referrals_consultation ON referrals (consultation_id) WHERE consultation_id IS NOT NULL;

-- The district a child lives in, when known (figures per wijk; CBS code WK + 6).
ALTER TABLE children ADD COLUMN wijk_code TEXT;

-- National (or regional) figures to compare with, each with its source: CBS table id,
-- period and region. Imported from a StatLine CSV download (rondom stuur benchmark).
CREATE TABLE benchmarks (
    id TEXT NOT NULL PRIMARY KEY,
    measure TEXT NOT NULL,
    table_id TEXT NOT NULL,
    period TEXT NOT NULL,
    region TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    provisional BOOLEAN NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (measure, table_id, period, region)
);

-- Youth (0 to 23) on a practice's list per year, entered or imported: the denominator
-- of referrals per 1,000 youth.
CREATE TABLE practice_youth (
    practice_id TEXT NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    youth INTEGER NOT NULL,
    PRIMARY KEY (practice_id, year)
);

-- Youth living in a gemeente or wijk per year (CBS population figures).
CREATE TABLE area_youth (
    code TEXT NOT NULL,
    year INTEGER NOT NULL,
    youth INTEGER NOT NULL,
    PRIMARY KEY (code, year)
);

-- What the figures of DOMAIN.md say, shipped with every installation (provisional
-- figures marked). Sources: CBS StatLine tables 85097NED and 85098NED, and CBS's
-- jeugdzorg releases for the local team's share and the trajectories' duration.
INSERT INTO benchmarks (id, measure, table_id, period, region, value, provisional, imported_at) VALUES
('b-85098-help', 'jeugdhulp_per_100', '85098NED', '2025 1e halfjaar', 'Nederland', 11.4, TRUE, '2026-12-05 00:00:00'),
('b-team-share', 'eigen_hulp', 'Jeugdzorg wijkteams', '2023 1e halfjaar', 'Nederland', 15.0, TRUE, '2026-12-05 00:00:00'),
('b-85097-02', 'verwijzer:02', '85097NED', '2023 1e halfjaar', 'Nederland', 38.6, TRUE, '2026-12-05 00:00:00'),
('b-85097-01', 'verwijzer:01', '85097NED', '2023 1e halfjaar', 'Nederland', 30.4, TRUE, '2026-12-05 00:00:00'),
('b-85097-06', 'verwijzer:06', '85097NED', '2023 1e halfjaar', 'Nederland', 14.9, TRUE, '2026-12-05 00:00:00'),
('b-85097-04', 'verwijzer:04', '85097NED', '2023 1e halfjaar', 'Nederland', 7.0, TRUE, '2026-12-05 00:00:00'),
('b-85097-05', 'verwijzer:05', '85097NED', '2023 1e halfjaar', 'Nederland', 4.7, TRUE, '2026-12-05 00:00:00'),
('b-85097-03', 'verwijzer:03', '85097NED', '2023 1e halfjaar', 'Nederland', 3.6, TRUE, '2026-12-05 00:00:00'),
('b-85097-08', 'verwijzer:08', '85097NED', '2023 1e halfjaar', 'Nederland', 0.4, TRUE, '2026-12-05 00:00:00'),
('b-dur-1', 'duur:0-3m', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 16.1, TRUE, '2026-12-05 00:00:00'),
('b-dur-2', 'duur:3-6m', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 17.2, TRUE, '2026-12-05 00:00:00'),
('b-dur-3', 'duur:6-12m', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 29.6, TRUE, '2026-12-05 00:00:00'),
('b-dur-4', 'duur:1-2j', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 23.3, TRUE, '2026-12-05 00:00:00'),
('b-dur-5', 'duur:2-3j', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 6.7, TRUE, '2026-12-05 00:00:00'),
('b-dur-6', 'duur:3-4j', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 3.1, TRUE, '2026-12-05 00:00:00'),
('b-dur-7', 'duur:4j+', 'Jeugdzorg beëindigde trajecten', '2021', 'Nederland', 3.9, TRUE, '2026-12-05 00:00:00');
