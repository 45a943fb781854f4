//! Every integration test in one binary (one link of the whole server instead of a dozen):
//! the real application on port 0 with a fresh database, Twilio as a local stand-in or the
//! built-in simulator, on SQLite and PostgreSQL.
#![cfg(feature = "ssr")]

mod common;

mod accounts;
mod after_hours;
mod bad_input_and_faults;
mod bots;
mod call_flow;
mod crash;
mod hostile_input;
mod hostile_requests;
mod hours;
mod metrics;
mod outage;
mod outbox_order;
mod pacing;
mod postgres;
mod prism_contract;
mod queues;
mod retention;
mod roles;
mod schema;
mod secrets;
mod sign_in;
mod simulator_browser;
mod simulator_engine;
mod simulator_flow;
mod simulator_pages;
mod simulator_transfers;
mod simulator_voice;
mod stand_in;
mod storage;
mod supervisor;
mod transfers;
mod twilio_check;
mod voicemail;
