-- What youth help costs: a tariff per contracted service per contract year (per
-- trajectory or per month of help), and each municipality's budget for youth help per
-- year. Stuurinformatie multiplies the tariffs with the help actually given.
CREATE TABLE service_tariffs (
    service_id TEXT NOT NULL REFERENCES services(id),
    year INTEGER NOT NULL,
    cents BIGINT NOT NULL,
    -- traject or maand
    unit TEXT NOT NULL,
    PRIMARY KEY (service_id, year)
);

CREATE TABLE budgets (
    gemeente_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    cents BIGINT NOT NULL,
    PRIMARY KEY (gemeente_code, year)
);
