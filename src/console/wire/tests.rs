//! The console's reader against the server's own serialisation: every agent's view and the
//! directory at each moment of `center::samples`, written by serde exactly as the stream writes
//! them (`serde_json::to_string`), read back by the browser's reader, and compared whole. A field
//! renamed (or added, or retyped) on one side only makes these fail.

use serde_json::Value;

use super::{console_view, directory};
use crate::center::samples::moments;
use crate::center::{CallCard, ConsoleView};

/// What the reader leaves out by design: how the last callback attempt went (the console
/// never shows it; reading it would bring its words into the WASM).
fn as_read(mut view: ConsoleView) -> ConsoleView {
    let unread = |c: &mut CallCard| c.callback.iter_mut().for_each(|cb| cb.last = None);
    view.call.iter_mut().for_each(unread);
    view
}

#[test]
fn the_console_reads_every_view_the_stream_writes() {
    let mut read = 0;
    for m in moments() {
        for agent in m.state.agents.keys() {
            let Some(mut view) = m.state.console_view(agent, m.now) else { continue };
            view.recent = m.recent(agent);
            let json = serde_json::to_string(&view).unwrap();
            let got = console_view::<Value>(&json).unwrap_or_else(|e| panic!("{}: {agent}'s view: {e} is wrong in {json}", m.name));
            assert_eq!(got, as_read(view), "{}: {agent}'s view, from {json}", m.name);
            read += 1;
        }
    }
    assert!(read >= 30, "only {read} views");
}

#[test]
fn the_console_reads_the_directory_the_stream_writes() {
    for m in moments() {
        let cards = m.state.directory();
        let json = serde_json::to_string(&cards).unwrap();
        let got = directory::<Value>(&json).unwrap_or_else(|e| panic!("{}: the directory: {e} is wrong in {json}", m.name));
        assert_eq!(got, cards, "{}: {json}", m.name);
    }
}

/// The samples hold what the views can show, so a field the reader skipped would be noticed.
#[test]
fn the_samples_show_every_part_of_a_console_view() {
    let views: Vec<ConsoleView> = moments()
        .iter()
        .flat_map(|m| {
            m.state
                .agents
                .keys()
                .filter_map(|a| m.state.console_view(a, m.now).map(|v| ConsoleView { recent: m.recent(a), ..v }))
                .collect::<Vec<_>>()
        })
        .collect();
    let calls: Vec<&CallCard> = views.iter().filter_map(|v| v.call.as_ref()).collect();
    let has = |what: &str, found: bool| assert!(found, "no sample view has {what}");
    has("a transfer", calls.iter().any(|c| c.transfer.is_some()));
    has("a notice with a retry", calls.iter().any(|c| c.notice.as_ref().is_some_and(|n| n.retry)));
    has("a raised hand", calls.iter().any(|c| c.help.is_some()));
    has("a muted leg", calls.iter().any(|c| c.legs.iter().any(|l| l.muted)));
    has("a coaching supervisor", calls.iter().any(|c| c.legs.iter().any(|l| l.monitor.is_some())));
    has("a queue", calls.iter().any(|c| c.queue.is_some()));
    has("actions", calls.iter().any(|c| !c.actions.is_empty()));
    has("a monitored call", views.iter().any(|v| v.monitoring.as_ref().is_some_and(|m| m.coaching.is_some())));
    has("presence actions", views.iter().any(|v| !v.presence_actions.is_empty()));
    has("recent calls", views.iter().any(|v| !v.recent.is_empty()));
    has("callers waiting", views.iter().any(|v| v.queue.longest_since.is_some()));
}
