DROP FUNCTION rondom_read_marks(TEXT, TEXT[], BIGINT[], TIMESTAMP);
DROP FUNCTION rondom_conversation_moved(TEXT, BIGINT, TIMESTAMP);
