-- Several queues: the queues (skills) an agent takes, comma-separated (`sales,support`); empty:
-- every queue. The queues themselves are settings (QUEUES).
ALTER TABLE agents ADD COLUMN queues TEXT NOT NULL DEFAULT '';
