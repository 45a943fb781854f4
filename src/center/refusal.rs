//! Why a command was refused: the state is unchanged, and the reason says why (typed: its words
//! are the edges', `crate::words::refusals`). One type for every edge; each turns it into its
//! own answer (`crate::error`).

use super::party::Party;
use crate::ids::{AgentId, CallSid};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownAgent(AgentId),
    UnknownCall(CallSid),
    NotNow(Reason),
}

impl From<Reason> for Refusal {
    fn from(r: Reason) -> Self {
        Refusal::NotNow(r)
    }
}

/// Why a step makes no sense now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NotOnCall,
    NotYourCall { owner: AgentId },
    ToYourself,
    TargetNotAvailable { agent: AgentId, presence: &'static str },
    TransferInProgress,
    ConsultInProgress,
    ConsultNeedsPerson,
    NoTransfer,
    NotAnsweredYet(Party),
    TargetStillRinging(Party),
    LeaveNeedsThreeWay,
    AlreadyThreeWay,
    SwapNeedsAnswer,
    NothingToRetry,
    HoldDuringTransfer,
    Ringing,
    OnCall,
    NoLongerRinging(Party),
    SupervisorsOnly,
    NotMonitorable,
    YourOwnCall,
    MonitoringAnother(CallSid),
    NotMonitoring,
    NoVoicemail,
    VoicemailTaken,
    VoicemailNotTaken,
    NoNumberToCall,
    NobodyOnTheLine,
    NotInMenu,
    CallbackNotAnswered,
    NobodyToCoach,
    CoachLegUnknown(AgentId),
    ConferenceFull(usize),
    AgentBusy { agent: AgentId, presence: &'static str },
    AgentOffline(AgentId),
    NotInWrapUp(AgentId),
}

// An error (for `?` and the edges' error enums); what it says is `crate::words::refusals`.
impl std::error::Error for Refusal {}
impl std::error::Error for Reason {}
