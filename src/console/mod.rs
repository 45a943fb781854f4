//! The agent console (the browser's side): Leptos components, the phone's state machine (plain
//! Rust, no web types, tested natively), and the live feed of the server's view. What the
//! server answers it lives in `crate::api`.

pub mod audio;
#[cfg(feature = "hydrate")]
mod driver;
pub mod live;
pub mod state;
#[cfg(feature = "hydrate")]
mod stream;
pub mod tab;
#[cfg(feature = "hydrate")]
mod tab_channel;
pub mod view;
#[cfg(feature = "hydrate")]
mod wire;
