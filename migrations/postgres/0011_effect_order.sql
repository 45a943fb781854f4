-- The order the outbox keeps is the core's data (center::order), filed beside each effect so
-- that the claim is one rule knowing no effect kind and no Twilio word (store::outbox):
--   lane      the lane it stands in ('conference:CA…' or 'party:…'): it waits for the earlier
--             unfinished effects of that lane;
--   awaits    a lane it waits for without standing in it;
--   creates   the leg it creates ('CA…/party/leg'): never sent once withdrawn;
--   withdraws the leg it withdraws;
--   leg_over_at when Twilio reported the leg it created over (a party's next leg waits for it).
ALTER TABLE effects ADD COLUMN lane TEXT;
ALTER TABLE effects ADD COLUMN awaits TEXT;
ALTER TABLE effects ADD COLUMN creates TEXT;
ALTER TABLE effects ADD COLUMN withdraws TEXT;
ALTER TABLE effects ADD COLUMN leg_over_at BIGINT;

-- Effects written before: the same facts, from their kind (this once).
UPDATE effects SET lane = 'conference:' || call_sid WHERE kind IN ('arrange', 'add-monitor', 'update-monitor');
UPDATE effects SET lane = 'party:' || agent_id, withdraws = call_sid || '/' || agent_id || '/' || CAST(leg AS TEXT)
    WHERE kind = 'cancel-leg';
UPDATE effects SET awaits = 'party:' || agent_id, creates = call_sid || '/' || agent_id || '/' || CAST(leg AS TEXT)
    WHERE kind IN ('dial', 'add-monitor');
UPDATE effects SET leg_over_at = updated_at WHERE creates IS NOT NULL AND leg_sid IN (
    SELECT call_sid FROM status_callbacks WHERE event IN ('completed', 'canceled', 'no-answer', 'busy', 'failed'));

CREATE INDEX effects_by_lane ON effects (lane, status, id);
CREATE INDEX effects_by_created_leg ON effects (creates);
CREATE INDEX effects_by_withdrawn_leg ON effects (withdraws);
-- A party's earlier legs not reported over (a leg reported over leaves the index: the scan a new
-- leg makes stays short however long the party's history).
DROP INDEX effects_by_party;
CREATE INDEX effects_by_party ON effects (agent_id, id) WHERE creates IS NOT NULL AND leg_over_at IS NULL;
