//! The floor's reader against the server's own serialisation: the floor at each moment of
//! `center::samples` (with and without Twilio's pace holding calls back, with and without the
//! database away), written by serde exactly as the floor's stream writes it
//! (`serde_json::to_string`), read back by the browser's reader, and compared whole. A field
//! renamed (or added, or retyped) on one side only makes these fail.

use serde_json::Value;

use super::floor_view;
use crate::center::samples::moments;
use crate::center::{FloorOutage, FloorPacing, FloorView, Thresholds};

fn floors() -> Vec<(String, FloorView)> {
    let mut out = Vec::new();
    for m in moments() {
        let view = m.state.floor_view(&m.day, &Thresholds::default(), m.now);
        let pacing = Some(FloorPacing { waiting: 3, since: m.now - 4_000 });
        let outage = Some(FloorOutage { since: m.now - 12_000, aside: 2 });
        out.push((m.name.to_string(), view.clone()));
        out.push((format!("{}, paced", m.name), FloorView { pacing, ..view.clone() }));
        out.push((format!("{}, database away", m.name), FloorView { pacing, outage, ..view }));
    }
    out
}

#[test]
fn the_floor_reads_every_floor_the_stream_writes() {
    for (name, view) in floors() {
        let json = serde_json::to_string(&view).unwrap();
        let got = floor_view::<Value>(&json).unwrap_or_else(|e| panic!("{name}: {e} is wrong in {json}"));
        assert_eq!(got, view, "{name}: from {json}");
    }
}

/// The samples hold what the floor can show, so a field the reader skipped would be noticed.
#[test]
fn the_samples_show_every_part_of_the_floor() {
    let floors: Vec<FloorView> = floors().into_iter().map(|(_, v)| v).collect();
    let calls = || floors.iter().flat_map(|f| &f.calls);
    let agents = || floors.iter().flat_map(|f| &f.agents);
    let has = |what: &str, found: bool| assert!(found, "no sample floor has {what}");
    has("callers waiting", floors.iter().any(|f| !f.queue.callers.is_empty()));
    has("a queue's count", floors.iter().any(|f| !f.queue.by_queue.is_empty()));
    has("a voicemail waiting", floors.iter().any(|f| f.queue.callers.iter().any(|c| c.voicemail)));
    has("a callback waiting", floors.iter().any(|f| f.queue.callers.iter().any(|c| c.callback)));
    has("answered calls today", floors.iter().any(|f| f.queue.today.answered > 0));
    has("a monitored call", calls().any(|c| c.monitors.iter().any(|m| m.coaching.is_some())));
    has("a transfer", calls().any(|c| c.transfer.is_some()));
    has("a call on hold", calls().any(|c| c.on_hold));
    has("a raised hand", calls().any(|c| c.help.is_some()));
    has("an agent's queues", agents().any(|a| !a.queues.is_empty()));
    has("a monitoring supervisor", agents().any(|a| a.monitoring.is_some()));
    has("a missed offer", agents().any(|a| a.missed > 0));
    has("the log", floors.iter().any(|f| !f.log.is_empty()));
}
