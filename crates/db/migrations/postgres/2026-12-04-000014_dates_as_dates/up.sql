-- Days are stored as days: PostgreSQL then refuses a date that is none ('2026-02-30',
-- '', 'morgen') and compares them as dates. They were ISO-8601 text, which is what
-- SQLite keeps (it has no date type; see the SQLite migration of the same name).
ALTER TABLE organisations ALTER COLUMN last_checked_on TYPE DATE USING NULLIF(last_checked_on, '')::date;
ALTER TABLE users ALTER COLUMN last_checked_on TYPE DATE USING NULLIF(last_checked_on, '')::date;
ALTER TABLE services ALTER COLUMN last_checked_on TYPE DATE USING last_checked_on::date;
ALTER TABLE services ALTER COLUMN wait_reported_on TYPE DATE USING NULLIF(wait_reported_on, '')::date;
ALTER TABLE services ALTER COLUMN contract_from TYPE DATE USING NULLIF(contract_from, '')::date;
ALTER TABLE services ALTER COLUMN contract_until TYPE DATE USING NULLIF(contract_until, '')::date;
ALTER TABLE locations ALTER COLUMN last_checked_on TYPE DATE USING last_checked_on::date;
ALTER TABLE teams ALTER COLUMN last_checked_on TYPE DATE USING last_checked_on::date;
ALTER TABLE hour_exceptions ALTER COLUMN on_date TYPE DATE USING on_date::date;
ALTER TABLE consultations ALTER COLUMN due_on TYPE DATE USING due_on::date;
ALTER TABLE referral_agreements ALTER COLUMN effective_from TYPE DATE USING effective_from::date;
ALTER TABLE children ALTER COLUMN birth_date TYPE DATE USING birth_date::date;
ALTER TABLE referrals ALTER COLUMN due_on TYPE DATE USING NULLIF(due_on, '')::date;
ALTER TABLE referrals ALTER COLUMN accepted_on TYPE DATE USING NULLIF(accepted_on, '')::date;
