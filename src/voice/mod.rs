//! The agent's phone in the browser (hydrate only): the Twilio Voice JS SDK v2, the microphone
//! and local sounds.
//!
//! `ffi` is the raw binding and the only place that names `Twilio.Device` / `Twilio.Call`;
//! `device` is the safe wrapper the console uses (typed events, owned listeners, Result errors).
//! `microphone` asks the browser whether there is a usable microphone; `tone` plays keypad tones
//! and the speaker test on the chosen output.

pub mod device;
pub mod ffi;
pub mod microphone;
pub mod tone;
