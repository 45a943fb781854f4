//! Twilio creates the calls an account asks for at the account's pace (1 per second unless
//! raised; more wait, silently, in Twilio's own queue for up to a day). So when several calls
//! must be created at once, the product sends them one by one itself, and the one someone is
//! already waiting on goes first: a colleague rung for a consult (the customer is on hold) before
//! the next offer from the queue (that caller hears music anyway).

use super::event::{CallEvent, CallbackEvent, TransferEvent, VoicemailEvent};
use serde::{Deserialize, Serialize};

use super::effect::Effect;
use super::event::Event;

/// How urgent a call Twilio must create is, least urgent first (the derived order ranks them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// An agent rung for a caller from the queue (or a callback in its turn): the caller waits
    /// with music, as they did before.
    Offer,
    /// A supervisor's phone rung to listen: the supervisor waits at the floor.
    Monitor,
    /// The caller's number called back while the agent waits on the line, or the agent's own
    /// phone rung to call a voicemail's caller back (they just clicked).
    Callback,
    /// A colleague or a number rung for a consult or a blind transfer: the customer is on hold.
    Transfer,
}

impl Urgency {
    /// The outbox's column: 0 for an effect that creates no call (never paced).
    pub fn rank(urgency: Option<Urgency>) -> i64 {
        match urgency {
            None => 0,
            Some(Urgency::Offer) => 1,
            Some(Urgency::Monitor) => 2,
            Some(Urgency::Callback) => 3,
            Some(Urgency::Transfer) => 4,
        }
    }

    /// How urgent the call `effect` creates is, read from the events decided with it (`None`:
    /// it creates no call, so Twilio's pace does not apply).
    pub fn of(effect: &Effect, events: &[Event]) -> Option<Urgency> {
        let (call, leg) = match effect {
            Effect::Dial { call, leg, .. } => (call, *leg),
            Effect::AddMonitor { .. } => return Some(Urgency::Monitor),
            _ => return None,
        };
        let why = events.iter().find_map(|e| match e {
            Event::Transfer(TransferEvent::ConsultStarted { call: c, leg: l, .. }) if c == call && *l == leg => Some(Urgency::Transfer),
            Event::Transfer(TransferEvent::Transferred { call: c, leg: Some(l), .. }) if c == call && *l == leg => Some(Urgency::Transfer),
            Event::Callback(CallbackEvent::CallbackDialled { call: c, leg: l, .. }) if c == call && *l == leg => Some(Urgency::Callback),
            Event::Voicemail(VoicemailEvent::VoicemailCalledBack { call: c, leg: l, .. }) if c == call && *l == leg => {
                Some(Urgency::Callback)
            }
            Event::Call(CallEvent::Offered { call: c, leg: l, .. }) if c == call && *l == leg => Some(Urgency::Offer),
            _ => None,
        });
        // A dial decided with none of those (none today) is treated as an offer: it goes out in
        // its turn, never ahead of someone on hold.
        Some(why.unwrap_or(Urgency::Offer))
    }
}
