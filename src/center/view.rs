//! What one agent's console shows, computed from the center's state: the server's truth that
//! the stream pushes (the browser never guesses it).
//!
//! Written with serde; the browser reads them by hand (`console::wire`, no serde decoders in its
//! WASM): a field added or renamed here is added or renamed there too.

use serde::{Deserialize, Serialize};

use super::model::{Call, CallPhase, Millis, Notice, Presence, Side, Stage, State};
use crate::ids::{AgentId, CallSid};

/// An agent as the directory shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCard {
    pub id: AgentId,
    pub presence: Presence,
    pub since: Millis,
}

/// One participant of the call on the console: the customer, the agent who has the call, and
/// the target of a transfer, each as the server's state says they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegCard {
    /// The agent's identity, the number dialled, or the caller's number for the customer.
    pub party: String,
    /// `customer`, `owner` (has the call) or `target` (of a transfer).
    pub role: String,
    /// `waiting` (the customer, before anyone answered), `ringing`, `connected` or `on-hold`.
    pub state: String,
    /// An agent whose browser has muted its microphone.
    #[serde(default)]
    pub muted: bool,
}

/// A consult in progress, as both agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferCard {
    /// The agent who started it (who has the call).
    pub by: AgentId,
    pub to: String,
    pub note: String,
    /// `ringing`, `consulting` (the agents talk, the customer on hold), `with-customer` (after
    /// a swap: the target on hold) or `three-way`.
    pub stage: String,
    pub since: Millis,
}

/// The agent's own call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCard {
    pub call: CallSid,
    pub from: String,
    /// When the caller first queued.
    pub queued_at: Millis,
    /// `offered` (ringing for the owner-to-be) or `connected`.
    pub phase: String,
    pub since: Millis,
    /// The customer first, then whoever else is on the call or ringing for it.
    pub legs: Vec<LegCard>,
    #[serde(default)]
    pub transfer: Option<TransferCard>,
    /// A transfer that failed, or a change Twilio would not make.
    #[serde(default)]
    pub notice: Option<Notice>,
    /// The transfer actions that make sense for this agent now (the console enables only
    /// these buttons): `consult`, `transfer`, `complete`, `cancel`, `three-way`, `swap`,
    /// `leave`, `retry`, and `hold` or `resume` (the customer).
    #[serde(default)]
    pub actions: Vec<String>,
    /// Who transferred this call to me, if someone did (shown while it rings).
    #[serde(default)]
    pub transferred_by: Option<AgentId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCard {
    pub waiting: usize,
    /// When the caller at the head of the queue started waiting.
    pub longest_since: Option<Millis>,
}

/// One line of a call's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub at: Millis,
    pub text: String,
}

/// A recent call of the agent's with its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallHistory {
    pub call: CallSid,
    pub from: String,
    pub rows: Vec<TimelineRow>,
}

/// Everything one console shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleView {
    pub me: AgentCard,
    pub call: Option<CallCard>,
    pub queue: QueueCard,
    /// Every other agent, by identity. The server leaves it empty and sends the directory
    /// apart (it is the same for every console, and changes far less often than a view); the
    /// browser puts it here.
    #[serde(default)]
    pub agents: Vec<AgentCard>,
    /// The agent's last few calls, newest first (filled in by the store).
    pub recent: Vec<CallHistory>,
    /// The server's clock when this view was made, so the browser counts durations from it.
    pub now: Millis,
}

impl State {
    pub fn card(&self, agent: &AgentId) -> Option<AgentCard> {
        let a = self.agents.get(agent)?;
        Some(AgentCard { id: a.id.clone(), presence: a.presence.clone(), since: a.since })
    }

    /// Every agent, by identity: the directory every console shows (each without itself).
    pub fn directory(&self) -> Vec<AgentCard> {
        self.agents.keys().filter_map(|id| self.card(id)).collect()
    }

    /// `agent`'s console view (without `recent` and the directory), or `None` for an unknown agent.
    pub fn console_view(&self, agent: &AgentId, now: Millis) -> Option<ConsoleView> {
        let me = self.card(agent)?;
        let call = self.call_of(agent).map(|c| c.card(agent));
        let queue = QueueCard { waiting: self.queue_len(), longest_since: self.queued().next().map(|c| c.queued_at) };
        Some(ConsoleView { me, call, queue, agents: Vec::new(), recent: Vec::new(), now })
    }
}

impl Call {
    /// The call as `viewer` (the owner, the agent it is offered to, or a transfer's target) sees it.
    pub fn card(&self, viewer: &AgentId) -> CallCard {
        let holds = self.holds();
        let customer_state = match (&self.phase, holds.customer.is_some()) {
            (_, true) => "on-hold",
            (CallPhase::Queued | CallPhase::Offered { .. } | CallPhase::Outside { answered: false, .. }, false) => "waiting",
            _ => "connected",
        };
        let muted = |p: &AgentId| self.muted.contains(p);
        let mut legs = vec![LegCard { party: self.from.clone(), role: "customer".into(), state: customer_state.into(), muted: false }];
        let (phase, since, transferred_by) = match &self.phase {
            CallPhase::Queued => ("queued", self.queued_at, None),
            CallPhase::Offered { agent, since, by, .. } => {
                legs.push(LegCard { party: agent.to_string(), role: "owner".into(), state: "ringing".into(), muted: false });
                ("offered", *since, by.clone())
            }
            CallPhase::Connected { owner, since, .. } => {
                legs.push(LegCard { party: owner.to_string(), role: "owner".into(), state: "connected".into(), muted: muted(owner) });
                ("connected", *since, None)
            }
            CallPhase::Outside { number, since, answered, by, .. } => {
                legs.push(LegCard {
                    party: number.to_string(),
                    role: "owner".into(),
                    state: if *answered { "connected" } else { "ringing" }.into(),
                    muted: false,
                });
                ("outside", *since, Some(by.clone()))
            }
        };
        let transfer = self.transfer.as_ref().map(|t| {
            let state = match t.stage {
                Stage::Ringing => "ringing",
                _ if holds.target.as_ref() == Some(&t.to) => "on-hold",
                _ => "connected",
            };
            let target_muted = t.to.agent().is_some_and(muted);
            legs.push(LegCard { party: t.to.to_string(), role: "target".into(), state: state.into(), muted: target_muted });
            let stage = match t.stage {
                Stage::Ringing => "ringing",
                Stage::Talking { with: Side::Target } => "consulting",
                Stage::Talking { with: Side::Customer } => "with-customer",
                Stage::ThreeWay => "three-way",
            };
            let by = self.owner().cloned().unwrap_or_else(|| viewer.clone());
            TransferCard { by, to: t.to.to_string(), note: t.note.clone(), stage: stage.into(), since: t.since }
        });
        let actions = self.actions(viewer).into_iter().map(String::from).collect();
        CallCard {
            call: self.sid.clone(),
            from: self.from.clone(),
            queued_at: self.queued_at,
            phase: phase.into(),
            since,
            legs,
            transfer,
            notice: self.notice.clone().filter(|_| self.owner() == Some(viewer)),
            actions,
            transferred_by,
        }
    }

    /// The transfer actions `agent` may take now: the same conditions the rules check, so a
    /// button the console enables is never refused for its state.
    pub fn actions(&self, agent: &AgentId) -> Vec<&'static str> {
        if self.owner() != Some(agent) {
            return Vec::new();
        }
        let mut out = match &self.transfer {
            None if self.on_hold => vec!["consult", "transfer", "resume"],
            None => vec!["consult", "transfer", "hold"],
            Some(t) => match t.stage {
                Stage::Ringing => vec!["cancel"],
                Stage::Talking { .. } => vec!["complete", "cancel", "three-way", "swap"],
                Stage::ThreeWay => vec!["complete", "cancel", "leave"],
            },
        };
        if self.notice.as_ref().is_some_and(|n| n.retry) {
            out.push("retry");
        }
        out
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;
    use crate::center::model::AwayReason;

    /// The JSON the stream carries, as the browser reads it field by field (`console::wire`):
    /// a change here must be made there too.
    #[test]
    fn a_console_view_is_written_as_the_browser_reads_it() {
        let sid = CallSid::parse(&format!("CA{:032x}", 7)).unwrap();
        let agent = |s: &str| AgentId::parse(s).unwrap();
        let view = ConsoleView {
            me: AgentCard { id: agent("agent1"), presence: Presence::Away { reason: AwayReason::MissedCall }, since: 5 },
            call: Some(CallCard {
                call: sid.clone(),
                from: "+15551230000".into(),
                queued_at: 1,
                phase: "connected".into(),
                since: 2,
                legs: vec![LegCard { party: "agent1".into(), role: "owner".into(), state: "connected".into(), muted: true }],
                transfer: Some(TransferCard {
                    by: agent("agent1"),
                    to: "agent2".into(),
                    note: "n".into(),
                    stage: "ringing".into(),
                    since: 3,
                }),
                notice: Some(Notice { text: "t".into(), at: 4, retry: true }),
                actions: vec!["cancel".into()],
                transferred_by: Some(agent("agent3")),
            }),
            queue: QueueCard { waiting: 2, longest_since: Some(6) },
            agents: vec![AgentCard { id: agent("agent2"), presence: Presence::WrapUp { until: 9 }, since: 8 }],
            recent: vec![CallHistory { call: sid.clone(), from: "+1".into(), rows: vec![TimelineRow { at: 7, text: "queued".into() }] }],
            now: 10,
        };
        let sid = sid.to_string();
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::json!({
                "me": {"id": "agent1", "presence": {"state": "away", "reason": "missed-call"}, "since": 5},
                "call": {
                    "call": sid, "from": "+15551230000", "queued_at": 1, "phase": "connected", "since": 2,
                    "legs": [{"party": "agent1", "role": "owner", "state": "connected", "muted": true}],
                    "transfer": {"by": "agent1", "to": "agent2", "note": "n", "stage": "ringing", "since": 3},
                    "notice": {"text": "t", "at": 4, "retry": true},
                    "actions": ["cancel"],
                    "transferred_by": "agent3"
                },
                "queue": {"waiting": 2, "longest_since": 6},
                "agents": [{"id": "agent2", "presence": {"state": "wrap-up", "until": 9}, "since": 8}],
                "recent": [{"call": sid, "from": "+1", "rows": [{"at": 7, "text": "queued"}]}],
                "now": 10
            })
        );
        let presence = |p: Presence| serde_json::to_value(p).unwrap();
        assert_eq!(presence(Presence::Offline), serde_json::json!({"state": "offline"}));
        assert_eq!(presence(Presence::Available), serde_json::json!({"state": "available"}));
        assert_eq!(presence(Presence::Away { reason: AwayReason::Chosen }), serde_json::json!({"state": "away", "reason": "chosen"}));
        assert_eq!(
            presence(Presence::Ringing { call: CallSid::parse(&sid).unwrap() }),
            serde_json::json!({"state": "ringing", "call": sid})
        );
        assert_eq!(
            presence(Presence::OnCall { call: CallSid::parse(&sid).unwrap() }),
            serde_json::json!({"state": "on-call", "call": sid})
        );
    }
}
