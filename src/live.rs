//! What brings a server-rendered page to life in the browser, shared by every page: the
//! hydrated mark and polling.

use leptos::prelude::*;
use std::time::Duration;

/// A counter bumped every `period` while the calling component is mounted (in the browser only;
/// the server renders once). Resources keyed on it refetch; the interval is cleared on unmount.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn tick(period: Duration) -> RwSignal<u64> {
    let tick = RwSignal::new(0u64);
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), period) {
        on_cleanup(move || handle.clear());
    }
    tick
}

/// True once the page is hydrated (never on the server): buttons stay disabled until they work,
/// and `<body data-hydrated>` tells tests (and people) the same.
pub fn hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        hydrated.set(true);
    });
    hydrated
}
