-- When an effect was first taken to be performed (its request to Twilio sent right after): with
-- created_at (the decision), how long the app took to act on a decision, e.g. from a caller
-- queued with a free agent to the request that rings that agent (scripts/load.sh reports it).
ALTER TABLE effects ADD COLUMN taken_at BIGINT;
