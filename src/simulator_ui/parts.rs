//! What both simulator pages share: the header, the polling tick and the words for Twilio's
//! statuses.

use leptos::prelude::*;

/// How often both pages ask the simulator what is going on.
const POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// A counter bumped every [`POLL`] while the page is open; resources keyed on it refetch.
pub(crate) fn poll_tick() -> RwSignal<u64> {
    crate::live::tick(POLL)
}

/// The header both pages share: title, the "Simulator" badge, links to the other pages.
#[component]
pub(crate) fn SimHeader(title: &'static str, current: &'static str) -> impl IntoView {
    let link = move |href: &'static str, text: &'static str| {
        let here = href == current;
        view! {
            <li>
                <a href=href aria-current=here.then_some("page")>{text}</a>
            </li>
        }
    };
    view! {
        <header class="console-header sim-header">
            <h1>
                {title} " "
                <span id="sim-badge" class="badge" title="No Twilio account: calls are simulated">"Simulator"</span>
            </h1>
            <nav class="sim-nav" aria-label="Pages">
                <ul>
                    {link("/phone", "Customer phone")}
                    {link("/simulator", "Simulator monitor")}
                    {link("/", "Agent console")}
                </ul>
            </nav>
        </header>
    }
}

/// Words for Twilio's call statuses, as a person would say them.
pub(crate) fn call_status_text(status: &str) -> String {
    match status {
        "queued" | "ringing" => "Ringing…".to_string(),
        "in-progress" => "In call".to_string(),
        ended => format!("Call ended ({ended})"),
    }
}

/// Words for a conference's status (`init` is Twilio's word for "waiting").
pub(crate) fn conference_status_text(status: &str) -> &str {
    match status {
        "init" => "waiting for an agent",
        "in-progress" => "in progress",
        "completed" => "ended",
        other => other,
    }
}
