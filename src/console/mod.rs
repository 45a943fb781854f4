//! The agent console: Leptos components, their server functions, and the console's state
//! machine (plain Rust, no web types, tested natively).

pub mod api;
#[cfg(feature = "hydrate")]
mod driver;
pub mod state;
pub mod view;
