-- The users of the one account the reference server holds. Schema version 1 (PRAGMA user_version); the store
-- migrates a file of an older version when it opens it and refuses one of a newer version.
CREATE TABLE IF NOT EXISTS users (
    -- AUTOINCREMENT: ids never come back after a delete, so they keep increasing in order of creation.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT,
    email_address TEXT NOT NULL,
    -- The address normalised and lower-cased: the unique index decides duplicates, so two concurrent
    -- invitations of the same address cannot both win.
    email_key TEXT NOT NULL,
    time_zone TEXT,
    account_administrator INTEGER NOT NULL,
    activated INTEGER NOT NULL,
    can_manage_users INTEGER NOT NULL,
    can_manage_billing INTEGER NOT NULL,
    can_create_projects INTEGER NOT NULL,
    can_manage_agents INTEGER NOT NULL,
    all_projects_allowed INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email_key);
-- Whose row each configured API key signs in as (since version 1). A key belongs to a user row, not to an
-- address: changing a user's address through the API never hands its key, or another key, a different row.
-- `account` is the configured address of the key's account (lower-cased), as the server was started with it.
CREATE TABLE IF NOT EXISTS api_keys (
    account TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL
);
-- Which deployhq-sandbox last set the file up, so a newer file can be refused by name.
CREATE TABLE IF NOT EXISTS sandbox (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
