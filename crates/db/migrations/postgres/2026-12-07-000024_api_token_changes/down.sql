DROP TRIGGER api_tokens_changed ON api_tokens;
