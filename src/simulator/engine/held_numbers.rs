//! Numbers held by open `/phone` pages: a call to such a number rings on the page (the customer
//! answers or declines it there) instead of following the [`phone_book`](super::phone_book).
//!
//! A page holds its own number (the one it calls from) by renewing the hold while it is open
//! ([`Engine::hold_number`]); a hold lapses [`HOLD_SECS`] after its last renewal, so a closed page
//! lets its number go back to the phone book. Whether a call rings on a page is decided when it
//! starts ringing: it then rings until answered, declined (`busy`), or its `Timeout`
//! (`no-answer`), even if the page closes meanwhile. Times are passed in, as everywhere in the
//! engine.

use std::time::{Duration, SystemTime};

use super::calls::Engine;
use super::model::{CallStatus, SimError};
use super::phone_book;
use super::view::RingingCall;

/// How long a hold lasts without renewal.
pub const HOLD_SECS: u64 = 10;
/// How many numbers may be held at once (the pages' endpoint is open).
pub const MAX_HELD: usize = 1000;

impl Engine {
    /// Holds `number` for a page until [`HOLD_SECS`] from `now` (a renewal moves that on);
    /// answers when it lapses. Only E.164 numbers can be held.
    pub fn hold_number(&mut self, number: &str, now: SystemTime) -> Result<SystemTime, SimError> {
        if !phone_book::is_e164(number) {
            return Err(SimError::InvalidNumber(number.to_string()));
        }
        self.lapse_held_numbers(now);
        if self.held_numbers.len() >= MAX_HELD && !self.held_numbers.contains_key(number) {
            return Err(SimError::Invalid(format!("{MAX_HELD} numbers are held already")));
        }
        let until = now + Duration::from_secs(HOLD_SECS);
        self.held_numbers.insert(number.to_string(), until);
        Ok(until)
    }

    /// The page let its number go (it closed, or now calls from another number).
    pub fn release_number(&mut self, number: &str) {
        self.held_numbers.remove(number);
    }

    /// Whether a page holds `number` at `now`.
    pub fn number_held(&self, number: &str, now: SystemTime) -> bool {
        self.held_numbers.get(number).is_some_and(|until| *until > now)
    }

    pub(super) fn lapse_held_numbers(&mut self, now: SystemTime) {
        self.held_numbers.retain(|_, until| *until > now);
    }

    /// Calls ringing on the page that holds `number`, oldest first.
    pub fn ringing_for_number(&self, number: &str) -> Vec<RingingCall> {
        self.calls
            .values()
            .filter(|c| c.status == CallStatus::Ringing && c.rings_on_page && c.to == number)
            .map(|c| RingingCall { call_sid: c.sid.clone(), from: c.from.clone(), to: c.to.clone() })
            .collect()
    }
}
