-- The schema.sql of deployhq-sandbox before schema versions (user_version 0): a copy, for the migration tests.
-- The users of the one account the reference server holds.
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
