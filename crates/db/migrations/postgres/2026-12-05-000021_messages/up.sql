-- Messages in a child's network (berichten). Texts are sealed with the network's own
-- key, and that key is sealed (wrapped) under the installation key: rotating the
-- installation key re-wraps one key per network, and deleting a network's key at the
-- end of retention makes all of its messages unreadable at once.
CREATE TABLE network_keys (
    network_id TEXT NOT NULL PRIMARY KEY REFERENCES networks(id),
    wrapped TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    wrapped_at TIMESTAMP NOT NULL
);

CREATE TABLE conversations (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    -- network (everyone, the family included), professionals, chosen
    kind TEXT NOT NULL,
    -- Sealed with the network's key: a title may name the child.
    title_sealed TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    -- The seq of the latest message: messages are numbered 1, 2, 3 ... per
    -- conversation under this row's lock, one order every reader sees.
    last_seq BIGINT NOT NULL,
    last_at TIMESTAMP NOT NULL
);
CREATE INDEX conversations_network ON conversations (network_id, last_at);

-- The members of a conversation of chosen members.
CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    member_id TEXT NOT NULL REFERENCES network_members(id),
    PRIMARY KEY (conversation_id, member_id)
);

CREATE TABLE messages (
    id TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq BIGINT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    body_sealed TEXT NOT NULL,
    -- The sender's own id for this send: a retried send finds the message it stored.
    client_id TEXT,
    sent_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    UNIQUE (conversation_id, seq),
    -- Retries are looked up by conversation and client id (then the author compared).
    UNIQUE (conversation_id, client_id, author_id)
);

-- The earlier texts of an edited message, for the log.
CREATE TABLE message_edits (
    id TEXT NOT NULL PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages(id),
    body_sealed TEXT NOT NULL,
    replaced_at TIMESTAMP NOT NULL
);
CREATE INDEX message_edits_message ON message_edits (message_id);

-- How far each person has read each conversation, and when they were last mailed
-- about it (at most one notice per quarter).
CREATE TABLE conversation_reads (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    seq BIGINT NOT NULL,
    read_at TIMESTAMP,
    mailed_at TIMESTAMP,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_reads_user ON conversation_reads (user_id);

-- How each person wants to hear of new messages: immediate, daily or none.
CREATE TABLE notice_choices (
    user_id TEXT NOT NULL PRIMARY KEY REFERENCES users(id),
    choice TEXT NOT NULL,
    daily_sent_at TIMESTAMP
);

-- What happened in a network: the live streams and Last-Event-ID read from here, the
-- content from the tables above. `user_id` names a person an event is for outside the
-- networks they are in (they were added). Ids are taken before commit, so they commit
-- out of order; `tx` (the writing transaction) lets a reader take only what every
-- older transaction has finished with (tx below the snapshot's xmin), in (tx, id)
-- order: nothing is skipped.
CREATE TABLE network_events (
    id BIGSERIAL PRIMARY KEY,
    tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    network_id TEXT NOT NULL,
    conversation_id TEXT,
    message_id TEXT,
    user_id TEXT,
    kind TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX network_events_network ON network_events (network_id, tx, id);
CREATE INDEX network_events_order ON network_events (tx, id);
CREATE INDEX network_events_at ON network_events (at);
CREATE INDEX network_events_user ON network_events (user_id, tx, id) WHERE user_id IS NOT NULL;
