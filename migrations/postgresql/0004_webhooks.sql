-- Webhooks: where to deliver the change feed, how far each has got, and its last attempts, as
-- on SQLite (0007_revisions).
CREATE TABLE webhooks (
    id         text COLLATE "C" PRIMARY KEY,
    url        text NOT NULL,
    secret     text NOT NULL,
    -- Comma-separated kinds; empty for every kind.
    kinds      text NOT NULL DEFAULT '',
    actor_id   text,
    -- The feed position delivered up to (every change at or before it was delivered or filtered out).
    position   bigint NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    created_by text NOT NULL
);
CREATE TABLE webhook_deliveries (
    seq             bigserial PRIMARY KEY,
    webhook_id      text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    delivery_id     text NOT NULL,
    position        bigint NOT NULL,
    attempt         integer NOT NULL,
    at              text NOT NULL,
    status          integer,
    error           text,
    duration_ms     double precision NOT NULL,
    -- For a failed attempt, when the next one is due.
    next_attempt_at text
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, seq);
