DROP TABLE IF EXISTS hour_exceptions;
DROP TABLE IF EXISTS consultation_hours;
DROP TABLE IF EXISTS practice_links;
ALTER TABLE organisations DROP COLUMN overleglijn_hours;
ALTER TABLE organisations DROP COLUMN overleglijn_phone;
ALTER TABLE users DROP COLUMN phone;
