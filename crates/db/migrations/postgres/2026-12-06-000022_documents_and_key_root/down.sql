DROP TABLE installation_keys;
DROP TABLE message_documents;
