//! `POST Calls/{CA}.json` with `Url` (and `Method`) or `Twiml`: a live call is moved to other
//! TwiML, as Twilio's "modify a call in progress" does.
//!
//! The call drops what it was doing: a conference it is in is left (a `participant-leave` with
//! the usual callbacks; the room ends if that participant had `endConferenceOnExit`, or was the
//! last), a `<Gather>` or `<Record>` under way is abandoned (no action, no recording), the rest of
//! its document is forgotten. Then it fetches `Url` with its parameters (`POST` unless `Method`
//! says `GET`) or runs `Twiml` at once. Only a call in progress can be moved: a queued or ringing
//! one (and one that is over) is refused with Twilio's 21220 ("Call is not in-progress. Cannot
//! redirect."). A call moved out of a room can go back with `<Dial><Conference>` of the same
//! name: the same room while it lives, a new one (new `CF…`) once it has ended.

use std::time::SystemTime;

use super::calls::{normalise_method, Engine};
use super::model::{CallStatus, FetchPurpose, SimError};
use crate::ids::CallSid;
use crate::simulator::twiml::Instruction;

/// Where a moved call's new TwiML comes from.
#[derive(Debug, Clone)]
pub enum CallRedirect {
    /// Fetch this document; `method` `GET` or `POST` (the default when `None`).
    Url { url: String, method: Option<String> },
    /// Run this document (Twilio's `Twiml` parameter), or what was wrong with it: a document that
    /// cannot be read gets the application error, as a fetched one would.
    Twiml(Result<Vec<Instruction>, String>),
}

impl Engine {
    /// Moves an in-progress call to other TwiML (see the module docs).
    pub fn redirect_call(&mut self, sid: &CallSid, to: CallRedirect, now: SystemTime) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        if call.status != CallStatus::InProgress {
            return Err(SimError::NotInProgress(sid.to_string()));
        }
        let to = match to {
            CallRedirect::Url { url, method } if url.trim().is_empty() => {
                return Err(SimError::Invalid(format!("Url is empty (method {method:?})")));
            }
            CallRedirect::Url { url, method } => CallRedirect::Url { url, method: Some(normalise_method(method.as_deref(), "POST")?) },
            twiml => twiml,
        };
        call.listening = None;
        call.script.clear();
        call.fetch = None;
        call.updated_at = now;
        self.leave_for_redirect(sid, now);
        match to {
            CallRedirect::Url { url, method } => self.fetch(sid, FetchPurpose::Document, &url, method.as_deref().unwrap_or("POST")),
            CallRedirect::Twiml(doc) => {
                // As if fetched: the same path a document takes, with no URL to come back to.
                self.fetch_counter += 1;
                let id = self.fetch_counter;
                let call = self.call_mut(sid)?;
                call.fetch = Some((id, FetchPurpose::Document));
                call.fetching_url = None;
                self.twiml_result_for(sid, id, doc, now)?;
            }
        }
        Ok(())
    }
}
