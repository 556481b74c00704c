DROP TABLE network_events;
DROP TABLE notice_choices;
DROP TABLE conversation_reads;
DROP TABLE message_edits;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
DROP TABLE network_keys;
