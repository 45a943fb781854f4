//! Why a command was refused: the state is unchanged, and the reason says why in words an agent
//! acts on. One type for every edge; each turns it into its own answer (`crate::error`).

use super::party::Party;
use crate::ids::{AgentId, CallSid};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown agent '{0}'")]
    UnknownAgent(AgentId),
    #[error("unknown or finished call '{0}'")]
    UnknownCall(CallSid),
    #[error("{0}")]
    NotNow(Reason),
}

impl From<Reason> for Refusal {
    fn from(r: Reason) -> Self {
        Refusal::NotNow(r)
    }
}

/// Why a step makes no sense now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("you are not on a call")]
    NotOnCall,
    #[error("{owner} has this call: only they can do that")]
    NotYourCall { owner: AgentId },
    #[error("you cannot transfer a call to yourself")]
    ToYourself,
    #[error("{agent} is {presence}; only an available agent can take a transfer")]
    TargetNotAvailable { agent: AgentId, presence: &'static str },
    #[error("a transfer is already in progress: complete or cancel it first")]
    TransferInProgress,
    #[error("a consult is in progress: complete or cancel it first")]
    ConsultInProgress,
    #[error("a consult needs a person to talk to: use Transfer to send the call to the queue")]
    ConsultNeedsPerson,
    #[error("there is no transfer in progress")]
    NoTransfer,
    #[error("{0} has not answered yet: wait, or cancel the transfer")]
    NotAnsweredYet(Party),
    #[error("{0} has not answered yet")]
    TargetStillRinging(Party),
    #[error("leave is for a three-way call: to hand the call over, complete the transfer")]
    LeaveNeedsThreeWay,
    #[error("the call is three-way already")]
    AlreadyThreeWay,
    #[error("swap is for a consult once the target has answered")]
    SwapNeedsAnswer,
    #[error("Twilio made every change already: there is nothing to retry")]
    NothingToRetry,
    #[error("a transfer is in progress: the consult decides who is on hold")]
    HoldDuringTransfer,
    #[error("a call is ringing for you: answer it or let it ring")]
    Ringing,
    #[error("you are on a call")]
    OnCall,
    #[error("this call is no longer ringing for {0}")]
    NoLongerRinging(Party),
    #[error("only a supervisor can do that")]
    SupervisorsOnly,
    #[error("no agent is talking on this call yet: it can be monitored once an agent has it")]
    NotMonitorable,
    #[error("you are on this call yourself")]
    YourOwnCall,
    #[error("you are monitoring another call ({0}): leave it first")]
    MonitoringAnother(CallSid),
    #[error("you are not monitoring a call")]
    NotMonitoring,
    #[error("no voicemail is offered to you")]
    NoVoicemail,
    #[error("you have taken this voicemail already: mark it done when you have dealt with it")]
    VoicemailTaken,
    #[error("take the voicemail first")]
    VoicemailNotTaken,
    #[error("the caller's number is unknown: there is no one to call back")]
    NoNumberToCall,
    #[error("this is a voicemail: nobody is on the line (listen to it, call back, mark it done)")]
    NobodyOnTheLine,
    #[error("the caller is not in the callback menu (any more)")]
    NotInMenu,
    #[error("the caller has not answered the callback yet")]
    CallbackNotAnswered,
    #[error("no agent has this call to coach")]
    NobodyToCoach,
    #[error("{0}'s phone has not joined the call yet: listen until it has")]
    CoachLegUnknown(AgentId),
    #[error("the call's conference is full ({0} participants)")]
    ConferenceFull(usize),
    #[error("{agent} is {presence}: that can wait until they are off the call")]
    AgentBusy { agent: AgentId, presence: &'static str },
    #[error("{0} is offline already")]
    AgentOffline(AgentId),
    #[error("{0} is not in wrap-up")]
    NotInWrapUp(AgentId),
}
