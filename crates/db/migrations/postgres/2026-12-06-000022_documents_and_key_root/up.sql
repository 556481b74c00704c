-- Documents shared in a conversation: each belongs to one message (the message may
-- carry a caption). Name and content are sealed with the network's own key, like the
-- message texts; the kind is what the content is (never the name's say-so).
CREATE TABLE message_documents (
    id TEXT NOT NULL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
    network_id TEXT NOT NULL REFERENCES networks(id),
    name_sealed TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Keys of the installation that outlive a change of its key: the root that the keyed
-- hashes children are recognised by and the audit chain's keys derive from. Without a
-- row the root is the installation key itself (as before any rotation); rotate-key
-- writes it, sealed under the new key, so that a new key changes no hash and no chain.
CREATE TABLE installation_keys (
    name TEXT NOT NULL PRIMARY KEY,
    wrapped TEXT NOT NULL,
    wrapped_at TIMESTAMP NOT NULL
);
