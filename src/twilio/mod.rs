//! Twilio's wire contracts and nothing else: tokens, signatures (and why one did not verify:
//! `refusal`), TwiML, the REST API, and the words of its status callbacks (`status`).
//! Every piece is checked against the reference outputs in `tests/fixtures/twilio-vectors.json`.

pub mod access_token;
pub mod refusal;
pub mod rest;
pub mod signature;
pub mod status;
pub mod twiml;
