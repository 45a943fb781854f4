//! The agent console (the browser's side): the page and its panels (Leptos components), the
//! phone's state machine (plain Rust, no web types, tested natively), and the live feed of the
//! server's view. What the server answers it lives in `crate::api`.
//!
//! - `page`: the sign-in form, then the console (phone, status lines), its panels drawn once live;
//! - `panels/`: presence, my call, transfers, audio, queue, directory, recent calls;
//! - `words`: what the panels say, as plain functions of the view (what the floor says alike is
//!   in `crate::words`);
//! - `live`, `feed`: the server's last view and how it keeps coming (`stream`, `wire` read it, with
//!   `crate::wire`);
//! - `phone/`: the phone as a state machine, by concern; `dispatch` and `driver` carry out its
//!   tasks on the Voice SDK (`crate::voice`) and the server functions (`tab_channel`: the tabs).

mod dispatch;
#[cfg(feature = "hydrate")]
mod driver;
mod feed;
pub mod live;
pub mod page;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod panels;
pub mod phone;
#[cfg(feature = "hydrate")]
mod stream;
#[cfg(feature = "hydrate")]
mod tab_channel;
#[cfg(any(feature = "hydrate", test))]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod wire;
pub mod words;
