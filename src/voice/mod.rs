//! The Twilio Voice JS SDK v2 in the browser (hydrate only).
//!
//! `ffi` is the raw binding and the only place that names `Twilio.Device` / `Twilio.Call`;
//! `device` is the safe wrapper the console uses (typed events, owned listeners, Result errors).

pub mod device;
pub mod ffi;
