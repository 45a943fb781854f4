-- When an effect was first taken to be performed (its request to Twilio sent right after): with
-- created_at (the decision), how long the app took to act on a decision, e.g. from a caller
-- queued with a free agent to the request that rings that agent (scripts/load.sh reports it).
ALTER TABLE effects ADD COLUMN taken_at BIGINT;
-- A dial waits for its party's previous leg to be reported over (Store::claim_effects): that
-- previous dial is found by party, newest first.
CREATE INDEX effects_by_party ON effects (agent_id, kind, id);
