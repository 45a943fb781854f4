//! The call domain: what a customer hears, who is dialled where, and how a transfer proceeds.
//!
//! `flow` holds the pure decisions (TwiML documents, dial requests, retry policy), tested
//! without I/O; `service` runs them against the store and Twilio for the edges (webhooks and
//! server functions); `dialer` performs promised dials from the outbox.

pub mod dialer;
pub mod flow;
pub mod service;
