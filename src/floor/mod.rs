//! The supervisor's floor in the browser: the live queue and today's figures, every agent, every
//! live call with everyone on it, the raised hands, and the supervisor's steps (listen, whisper,
//! barge, leave; an agent away, offline, out of wrap-up). Drawn on `/floor` beside the console
//! (the supervisor's phone is the console's: it answers a monitoring leg by itself).
//!
//! Its code is a WASM module of its own (`draw`, a split point): an agent's console never
//! downloads it.
//!
//! - `words`: what the floor says, as plain functions of the view and the time (tested natively);
//! - `wire`, `stream` (browser): the floor's JSON read by hand (with `crate::wire`), and its live
//!   feed;
//! - `panels` (browser): the tiles, the hands, the agents, the calls; `accounts` (browser):
//!   account management and the audit log; `hours` (browser): the opening hours and the
//!   "closed now" switch.

#[cfg(feature = "hydrate")]
mod accounts;
#[cfg(feature = "hydrate")]
mod hours;
#[cfg(feature = "hydrate")]
mod panels;
#[cfg(feature = "hydrate")]
mod stream;
#[cfg(any(feature = "hydrate", test))]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod wire;
pub mod words;

/// Draws the floor into `el` (a split point: everything the floor draws comes with this module).
#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub fn draw(
    el: web_sys::HtmlElement,
    me: crate::ids::AgentId,
    now: leptos::prelude::RwSignal<crate::center::Millis>,
) -> Box<dyn std::any::Any> {
    use leptos::prelude::untrack;
    Box::new(untrack(|| leptos::mount::mount_to_renderer(&el, move || panels::all(me, now))))
}
