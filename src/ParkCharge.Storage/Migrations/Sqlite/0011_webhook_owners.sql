-- A webhook subscription belongs to the API key that made it: integrators see and change only their own,
-- admins all. Subscriptions made before have no owner and are the admins' to manage.
ALTER TABLE webhook_subscriptions ADD COLUMN owner_key_id TEXT;
CREATE INDEX webhook_subscriptions_by_owner ON webhook_subscriptions (owner_key_id);
