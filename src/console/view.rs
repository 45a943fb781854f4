//! The console page.
use leptos::prelude::*;

#[component]
pub fn ConsolePage() -> impl IntoView {
    view! { <main id="console"><p id="call-status">"Offline"</p></main> }
}
