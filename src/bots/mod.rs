//! Caller bots and agent bots: a contact center at work on one laptop (demo mode), and a load
//! and correctness check (`warm-transfer bots`, the `bots` integration test).
//!
//! The bots drive the product only as Twilio's caller side and a browser would: the simulator's
//! phone and device endpoints (`simulator::browser`) and the console's own endpoints (sign-in,
//! presence, call steps, `GET /api/stream`), over HTTP. They never reach into the app, so the same
//! bots can drive several instances behind a load balancer with a standalone simulator.
//!
//! - [`plan`]: what they will do, drawn from a seed (pure);
//! - [`caller`]: one caller; [`agent`]: one agent ([`feeds`]: its two streams, [`view`]: what it
//!   reads of its console);
//! - [`http`]: the browser's HTTP (a session cookie, server functions, event streams);
//! - [`runner`]: a run, agents and callers together; [`board`]: what they share;
//! - [`report`]: what they saw; [`series`]: what a load run measures over time; [`demo`]: demo mode, the bots beside people on a running app.

pub mod agent;
pub mod board;
pub mod caller;
pub mod demo;
pub mod feeds;
pub mod http;
pub mod plan;
pub mod report;
pub mod runner;
pub mod series;
pub mod view;

pub use board::Board;
pub use runner::{run, BotsConfig};
