-- An abandon is the core's decision, filed on the call's end (`"abandoned":true` in the ended
-- event): the metrics and the floor's figures count that one definition. Ends written before
-- get it by the rule the figures used then (the caller hung up, and no agent had answered).
UPDATE timeline
SET event = REPLACE(event, '"reason":"caller-hung-up"}', '"reason":"caller-hung-up","abandoned":true}')
WHERE kind = 'ended'
  AND event LIKE '%"reason":"caller-hung-up"}'
  AND NOT EXISTS (
      SELECT 1 FROM timeline answered
      WHERE answered.call_sid = timeline.call_sid AND answered.kind = 'answered' AND answered.id < timeline.id
  );
