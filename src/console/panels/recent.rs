//! My last calls, each with its timeline.

use leptos::prelude::*;

use crate::console::live::Live;
use crate::console::words;

pub fn panel(live: Live) -> impl IntoView {
    view! {
        <section id="recent-calls" class="panel" aria-labelledby="recent-title">
            <h2 id="recent-title">"Recent calls"</h2>
            <ol class="recent">
                {move || live.with(|v| v.recent.iter().map(|call| view! {
                    <li class="recent-call">
                        <p class="recent-caller">{crate::words::caller(call.from.as_ref().map(|f| f.as_str()))}</p>
                        // One line per row (CSS keeps the line breaks): a list per call would
                        // cost the WASM more than it gives.
                        <p class="timeline">{words::timeline(call).join("\n")}</p>
                    </li>
                }).collect_view())}
            </ol>
        </section>
    }
}
