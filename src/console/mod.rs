//! The agent console: Leptos components, their server functions, the phone's state machine
//! (plain Rust, no web types, tested natively), and the live feed of the server's view.

pub mod api;
pub mod audio;
#[cfg(feature = "hydrate")]
mod driver;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod events;
pub mod state;
#[cfg(feature = "hydrate")]
mod stream;
pub mod tab;
#[cfg(feature = "hydrate")]
mod tab_channel;
pub mod view;
#[cfg(feature = "hydrate")]
mod wire;
