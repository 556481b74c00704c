-- App servers now keep the API tokens they read a moment ago in memory, like sessions
-- (see change_counter): a change to a token moves the counter.
CREATE TRIGGER api_tokens_insert_counted AFTER INSERT ON api_tokens
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER api_tokens_update_counted AFTER UPDATE ON api_tokens
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER api_tokens_delete_counted AFTER DELETE ON api_tokens
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;
