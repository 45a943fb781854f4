//! Why a command was refused, in the words an agent acts on (the core's `Refusal` is a typed
//! reason; the console, the floor, the CLI and the API's errors show these).

use std::fmt;

use crate::center::{Reason, Refusal};

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::UnknownAgent(agent) => write!(f, "unknown agent '{agent}'"),
            Refusal::UnknownCall(call) => write!(f, "unknown or finished call '{call}'"),
            Refusal::NotNow(reason) => write!(f, "{reason}"),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotOnCall => f.write_str("you are not on a call"),
            Reason::NotYourCall { owner } => write!(f, "{owner} has this call: only they can do that"),
            Reason::ToYourself => f.write_str("you cannot transfer a call to yourself"),
            Reason::TargetNotAvailable { agent, presence } => {
                write!(f, "{agent} is {presence}; only an available agent can take a transfer")
            }
            Reason::TransferInProgress => f.write_str("a transfer is already in progress: complete or cancel it first"),
            Reason::ConsultInProgress => f.write_str("a consult is in progress: complete or cancel it first"),
            Reason::ConsultNeedsPerson => f.write_str("a consult needs a person to talk to: use Transfer to send the call to the queue"),
            Reason::NoTransfer => f.write_str("there is no transfer in progress"),
            Reason::NotAnsweredYet(party) => write!(f, "{party} has not answered yet: wait, or cancel the transfer"),
            Reason::TargetStillRinging(party) => write!(f, "{party} has not answered yet"),
            Reason::LeaveNeedsThreeWay => f.write_str("leave is for a three-way call: to hand the call over, complete the transfer"),
            Reason::AlreadyThreeWay => f.write_str("the call is three-way already"),
            Reason::SwapNeedsAnswer => f.write_str("swap is for a consult once the target has answered"),
            Reason::NothingToRetry => f.write_str("Twilio made every change already: there is nothing to retry"),
            Reason::HoldDuringTransfer => f.write_str("a transfer is in progress: the consult decides who is on hold"),
            Reason::Ringing => f.write_str("a call is ringing for you: answer it or let it ring"),
            Reason::OnCall => f.write_str("you are on a call"),
            Reason::NoLongerRinging(party) => write!(f, "this call is no longer ringing for {party}"),
            Reason::SupervisorsOnly => f.write_str("only a supervisor can do that"),
            Reason::NotMonitorable => f.write_str("no agent is talking on this call yet: it can be monitored once an agent has it"),
            Reason::YourOwnCall => f.write_str("you are on this call yourself"),
            Reason::MonitoringAnother(call) => write!(f, "you are monitoring another call ({call}): leave it first"),
            Reason::NotMonitoring => f.write_str("you are not monitoring a call"),
            Reason::NoVoicemail => f.write_str("no voicemail is offered to you"),
            Reason::VoicemailTaken => f.write_str("you have taken this voicemail already: mark it done when you have dealt with it"),
            Reason::VoicemailNotTaken => f.write_str("take the voicemail first"),
            Reason::NoNumberToCall => f.write_str("the caller's number is unknown: there is no one to call back"),
            Reason::NobodyOnTheLine => f.write_str("this is a voicemail: nobody is on the line (listen to it, call back, mark it done)"),
            Reason::NotInMenu => f.write_str("the caller is not in the callback menu (any more)"),
            Reason::CallbackNotAnswered => f.write_str("the caller has not answered the callback yet"),
            Reason::NobodyToCoach => f.write_str("no agent has this call to coach"),
            Reason::CoachLegUnknown(agent) => write!(f, "{agent}'s phone has not joined the call yet: listen until it has"),
            Reason::ConferenceFull(limit) => write!(f, "the call's conference is full ({limit} participants)"),
            Reason::AgentBusy { agent, presence } => write!(f, "{agent} is {presence}: that can wait until they are off the call"),
            Reason::AgentOffline(agent) => write!(f, "{agent} is offline already"),
            Reason::NotInWrapUp(agent) => write!(f, "{agent} is not in wrap-up"),
        }
    }
}
