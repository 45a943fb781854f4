//! warm-transfer: a contact-center agent console for Twilio Programmable Voice.
//!
//! The crate builds twice: with `ssr` it is the server (axum webhooks for Twilio, Leptos server
//! functions for the console, sqlx storage); with `hydrate` it is the browser app (WASM) that
//! drives the Twilio Voice SDK. Modules without a feature gate are shared by both.

pub mod api;
pub mod center;
pub mod console;
pub mod error;
pub mod floor;
pub mod ids;
pub mod live;
pub mod pages;
pub mod simulator_ui;
// The browser's JSON readers; compiled natively for the tests that run them on what serde writes.
#[cfg(any(feature = "hydrate", test))]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub mod wire;
pub mod words;

#[cfg(feature = "ssr")]
pub mod application;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod bots;
#[cfg(feature = "ssr")]
pub mod calls;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod runtime;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod simulator;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod twilio;
#[cfg(feature = "ssr")]
pub mod webhooks;

#[cfg(feature = "hydrate")]
pub mod voice;

/// Hydrates the page the server sent for this path (see `app`). The console is in the main
/// WASM module; the simulator's pages are split into modules of their own, fetched only when one
/// of them is opened (`cargo leptos build --split`), so an agent's browser never downloads them.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use pages::Page;
    console_error_panic_hook::set_once();
    let path = leptos::prelude::location().pathname().unwrap_or_default();
    match Page::at(&path) {
        Page::Console => leptos::mount::hydrate_body(|| leptos::prelude::view! { <console::page::ConsolePage/> }),
        Page::Floor => leptos::mount::hydrate_body(|| leptos::prelude::view! { <console::page::ConsolePage floor=true/> }),
        // Not Leptos's spawn: its executor is set up by `hydrate_body`, inside the split module.
        Page::Phone => wasm_bindgen_futures::spawn_local(simulator_ui::hydrate_phone()),
        Page::Monitor => wasm_bindgen_futures::spawn_local(simulator_ui::hydrate_monitor()),
        // Static text and a link: nothing to bring to life.
        Page::NotFound => {}
    }
}
