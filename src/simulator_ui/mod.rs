//! The "try it with no Twilio account" pages: a customer's phone (`/phone`) and a live monitor of
//! the built-in simulator (`/simulator`). Components compile on both sides; the server functions
//! in `crate::api::simulator` act on `AppState::simulator` and refuse when the app talks to real Twilio.

pub mod monitor;
mod parts;
pub mod phone;
mod phone_controls;

/// Split points: each page's code goes into a WASM module of its own (see `hydrate` in lib.rs).
#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub(crate) fn hydrate_phone() {
    leptos::mount::hydrate_body(phone::PhonePage);
}

#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub(crate) fn hydrate_monitor() {
    leptos::mount::hydrate_body(monitor::MonitorPage);
}
