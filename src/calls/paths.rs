//! The paths Twilio calls back on, one type each: its route pattern (`TypedPath::PATH`, which
//! the router mounts) and its URL (`Display`, which the documents and REST requests give Twilio)
//! live side by side, so the two cannot drift apart. A path's values are typed (`CallSid`,
//! `Party`, `LegNo`…): they are parsed once, when the request is extracted, and written back
//! byte for byte as they were parsed.
//!
//! `Display` is written by hand rather than derived: Twilio signs the very URL it was given, so
//! each one must stay exactly what it was (the derive would percent-encode an identity's letters
//! outside ASCII, which we have always written as they are). A URL that carries a query (`?leg=`,
//! `?attempt=`, `?intro=`) writes it too: it is part of the value Twilio hands back.
//!
//! Extraction fails with [`ApiError::BadInput`] naming the part that is wrong. Handlers take
//! `Result<Path, ApiError>` and look at it only after the form's signature is checked, so an
//! unsigned request gets 403 whatever its path.

use std::fmt;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum_extra::routing::TypedPath;

use crate::center::{LegNo, Party};
use crate::error::ApiError;
use crate::ids::{AgentId, CallSid};

fn bad(e: impl fmt::Display) -> ApiError {
    ApiError::BadInput(e.to_string())
}

/// A query parameter of the URL Twilio was given.
fn query(parts: &Parts, name: &str) -> Option<String> {
    let q = parts.uri.query().unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The raw segments a route matched, as the tuple `T` (axum's own reason when one is not text).
async fn segments<T: serde::de::DeserializeOwned + Send>(parts: &mut Parts) -> Result<T, ApiError> {
    let Path(raw) = Path::<T>::from_request_parts(parts, &()).await.map_err(|e| bad(e.body_text()))?;
    Ok(raw)
}

/// A leg number: a whole number from 1 (`?leg=` on the join URL, a segment on callbacks).
fn leg_number(raw: Option<&str>) -> Result<LegNo, ApiError> {
    raw.and_then(|l| l.parse::<LegNo>().ok()).filter(|l| *l > 0).ok_or_else(|| bad("leg must be a whole number from 1"))
}

fn call_sid(raw: &str) -> Result<CallSid, ApiError> {
    CallSid::parse(raw).map_err(bad)
}

/// The path names an agent or a transfer's number: the reason says which part is wrong.
fn party(raw: &str) -> Result<Party, ApiError> {
    Party::parse(raw).map_err(|e| bad(format!("party: {e}")))
}

/// `FromRequestParts` for a path type from its `parse(parts)`: one impl per type, as the orphan
/// rule forbids a blanket one over axum's trait.
macro_rules! extracted_by_parse {
    ($($path:ty),* $(,)?) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for $path {
            type Rejection = ApiError;
            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
                Self::parse(parts).await
            }
        }
    )*};
}

/// `TypedPath` for a path type, with its route pattern.
macro_rules! typed_path {
    ($($path:ty => $pattern:literal),* $(,)?) => {$(
        impl TypedPath for $path {
            const PATH: &'static str = $pattern;
        }
    )*};
}

/// The support number's voice webhook: a customer calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Voice;

/// Twilio's status callbacks for calls and conferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status;

/// The wait document (fetched with `POST` as a conference's wait URL, `GET` as a hold's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// Held after a blind transfer: the document first says why, once (`?intro=transfer`).
    pub after_transfer: bool,
}

/// `?intro=` on the wait document when a blind transfer holds the customer.
const TRANSFER_INTRO: &str = "transfer";

/// Where Twilio fetches the join document when `party` (an agent's identity or a `+` number)
/// answers leg `leg` of the customer's call `call`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentJoin {
    pub call: CallSid,
    pub party: Party,
    pub leg: LegNo,
}

/// Where Twilio reports the progress of a leg: the path names the call, the party and the leg,
/// so a callback is understood without a lookup (and before the dial's answer is in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLegStatus {
    pub call: CallSid,
    pub party: Party,
    pub leg: LegNo,
}

/// Where Twilio reports the progress of a supervisor's monitoring leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorLegStatus {
    pub call: CallSid,
    pub supervisor: AgentId,
    pub leg: LegNo,
}

/// The callback menu's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackMenu {
    pub call: CallSid,
    pub step: CallbackStep,
}

/// A step of the callback menu: `offer` (the menu, fetched when the REST update moves the
/// caller), `choice` (its answer), `number` (which number to call), `back` (nothing pressed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackStep {
    Offer,
    Choice,
    Number,
    Back,
}

/// Where the menu's answer goes (`attempt`: how many times it was said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub call: CallSid,
    pub attempt: u32,
}

/// Where Twilio posts a voicemail's recording when it ends (`<Record>`'s action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailRecorded {
    pub call: CallSid,
}

/// The voicemail's recording is ready at Twilio (or absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailRecording {
    pub call: CallSid,
}

/// Twilio's transcription of the voicemail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailTranscription {
    pub call: CallSid,
}

// The patterns' capture names are part of the answer: a segment that is not UTF-8 is refused
// with axum's reason, which names its capture (`conference_id`, `call_sid`…).
typed_path! {
    Voice => "/conference/connect/client",
    Wait => "/conference/wait",
    Status => "/twilio/status",
    AgentJoin => "/conference/{conference_id}/connect/{party}",
    AgentLegStatus => "/twilio/legs/{call_sid}/{party}/{leg}",
    MonitorLegStatus => "/twilio/monitor/{call_sid}/{supervisor}/{leg}",
    CallbackMenu => "/twilio/callback/{call_sid}/{step}",
    Menu => "/twilio/menu/{call_sid}",
    VoicemailRecorded => "/twilio/voicemail/{call_sid}",
    VoicemailRecording => "/twilio/voicemail/{call_sid}/recording",
    VoicemailTranscription => "/twilio/voicemail/{call_sid}/transcription",
}

extracted_by_parse!(Wait, AgentJoin, AgentLegStatus, MonitorLegStatus, CallbackMenu, Menu);
extracted_by_parse!(VoicemailRecorded, VoicemailRecording, VoicemailTranscription);

impl fmt::Display for Voice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PATH)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PATH)
    }
}

impl Wait {
    /// Never refused: a wait document is music whatever its URL says.
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        Ok(Wait { after_transfer: query(parts, "intro").as_deref() == Some(TRANSFER_INTRO) })
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.after_transfer {
            true => write!(f, "{}?intro={TRANSFER_INTRO}", Self::PATH),
            false => f.write_str(Self::PATH),
        }
    }
}

impl AgentJoin {
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        let (call, who) = segments::<(String, String)>(parts).await?;
        let (call, party) = (call_sid(&call)?, party(&who)?);
        Ok(AgentJoin { call, party, leg: leg_number(query(parts, "leg").as_deref())? })
    }
}

impl fmt::Display for AgentJoin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/conference/{}/connect/{}?leg={}", self.call, self.party, self.leg)
    }
}

impl AgentLegStatus {
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        let (call, who, leg) = segments::<(String, String, String)>(parts).await?;
        Ok(AgentLegStatus { call: call_sid(&call)?, party: party(&who)?, leg: leg_number(Some(&leg))? })
    }
}

impl fmt::Display for AgentLegStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/twilio/legs/{}/{}/{}", self.call, self.party, self.leg)
    }
}

impl MonitorLegStatus {
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        let (call, supervisor, leg) = segments::<(String, String, String)>(parts).await?;
        let call = call_sid(&call)?;
        let supervisor = AgentId::parse(&supervisor).map_err(|e| bad(format!("supervisor: {e}")))?;
        Ok(MonitorLegStatus { call, supervisor, leg: leg_number(Some(&leg))? })
    }
}

impl fmt::Display for MonitorLegStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/twilio/monitor/{}/{}/{}", self.call, self.supervisor, self.leg)
    }
}

impl CallbackStep {
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackStep::Offer => "offer",
            CallbackStep::Choice => "choice",
            CallbackStep::Number => "number",
            CallbackStep::Back => "back",
        }
    }

    fn parse(s: &str) -> Result<Self, ApiError> {
        [CallbackStep::Offer, CallbackStep::Choice, CallbackStep::Number, CallbackStep::Back]
            .into_iter()
            .find(|step| step.as_str() == s)
            .ok_or_else(|| bad(format!("unknown callback step '{s}' (offer, choice, number, back)")))
    }
}

impl CallbackMenu {
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        let (call, step) = segments::<(String, String)>(parts).await?;
        Ok(CallbackMenu { call: call_sid(&call)?, step: CallbackStep::parse(&step)? })
    }
}

impl fmt::Display for CallbackMenu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/twilio/callback/{}/{}", self.call, self.step.as_str())
    }
}

impl Menu {
    /// A missing or garbled `?attempt=` counts as the first: the menu is said again at worst.
    async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
        let call = call_sid(&segments::<String>(parts).await?)?;
        Ok(Menu { call, attempt: query(parts, "attempt").and_then(|a| a.parse::<u32>().ok()).unwrap_or(1) })
    }
}

impl fmt::Display for Menu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/twilio/menu/{}?attempt={}", self.call, self.attempt)
    }
}

/// The three voicemail paths name only the call; their `Display` and extraction are alike.
macro_rules! voicemail_path {
    ($($path:ident => $suffix:literal),* $(,)?) => {$(
        impl $path {
            async fn parse(parts: &mut Parts) -> Result<Self, ApiError> {
                Ok($path { call: call_sid(&segments::<String>(parts).await?)? })
            }
        }
        impl fmt::Display for $path {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!("/twilio/voicemail/{}", $suffix), self.call)
            }
        }
    )*};
}

voicemail_path! {
    VoicemailRecorded => "",
    VoicemailRecording => "/recording",
    VoicemailTranscription => "/transcription",
}

#[cfg(test)]
mod tests;
