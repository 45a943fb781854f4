//! The calls as Twilio sees them: what a customer and an agent hear (TwiML), the REST requests
//! that ring agents, and the edges' operations.
//!
//! `flow` holds the pure documents and requests, tested without I/O; `paths` the URLs Twilio
//! calls back on, each one type that both routes it and writes it; `service` turns the edges'
//! input into commands for the center (`crate::center`, where the rules live); `effects`
//! performs the center's decisions through the Twilio client; `aside` writes what was kept aside
//! while the database was away.

pub mod aside;
pub mod effects;
pub mod flow;
pub mod paths;
pub mod service;
