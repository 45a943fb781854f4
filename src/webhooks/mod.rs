//! The routes Twilio calls. Each handler parses Twilio's form into types, asks the call domain
//! what to do, and renders the answer as TwiML; it holds no business rules itself.
//! Paths are the tutorial's, so a Twilio number configured for the tutorial works unchanged.

mod form;
mod routes;

pub use form::TwilioForm;
pub use routes::{router, MAX_BODY_BYTES};
