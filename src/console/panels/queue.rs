//! The queue: how many callers wait, and for how long the first has.

use leptos::prelude::*;

use crate::console::live::Live;
use crate::console::words;

pub fn panel(live: Live) -> impl IntoView {
    view! {
        <section id="queue-panel" class="panel" aria-labelledby="queue-title">
            <h2 id="queue-title">"Queue"</h2>
            <p id="queue">
                {move || live.with(|v| words::queue(&v.queue, live.now.get())).unwrap_or_else(|| "…".into())}
            </p>
        </section>
    }
}
