//! Voicemail routed like a call: a message waits in its place in the queue, is offered on the
//! console of the longest-idle agent (no phone rings), is taken, declined or missed (the next
//! agent is offered it), and is marked done; nothing meant for a caller on the line applies.

use super::given::*;
use crate::center::*;
use crate::ids::RecordingSid;

fn recording(n: u8) -> RecordingSid {
    RecordingSid::parse(&format!("RE{n:032x}")).unwrap()
}

trait Voicemails {
    fn leaves_voicemail(self, n: u8) -> Self;
    fn voicemail(self, name: &str, step: VoicemailStep) -> Self;
}

impl Voicemails for World {
    fn leaves_voicemail(self, n: u8) -> Self {
        self.and(Command::VoicemailLeft { call: call(n), from: Some(caller(n)), recording: recording(n), seconds: 42, recorded: false })
    }

    fn voicemail(self, name: &str, step: VoicemailStep) -> Self {
        self.when(Command::Voicemail { agent: agent(name), step })
    }
}

#[test]
fn a_voicemail_waits_in_its_place_behind_the_callers_before_it_and_ahead_of_those_after() {
    let w = given_agents(&["agent1"]).at(1_000).arrives(1).at(2_000).leaves_voicemail(2).at(3_000).arrives(3);
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert_eq!(w.state.queue_position(&call(2)), Some(2));
    assert_eq!(w.state.queue_position(&call(3)), Some(3));
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Queued { call: call(3), from: Some(caller(3)), queue: None, priority: 0, since: None })],
        "the caller after the voicemail queues behind it"
    );
}

#[test]
fn the_longest_idle_agent_is_offered_a_voicemail_on_the_console_and_no_phone_rings() {
    let w = given_agents(&["agent1", "agent2"]).at(1_000).available("agent2").at(2_000).available("agent1").at(3_000).leaves_voicemail(1);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    assert_eq!(w.presence("agent2"), Presence::Ringing { call: call(1) });
    assert!(w.effects().is_empty(), "no dial for a voicemail: {:?}", w.effects());
    let c = &w.state.calls[&call(1)];
    let card = w.state.call_card(c, &agent("agent2"));
    assert_eq!(card.actions, vec![CallAction::TakeVoicemail, CallAction::DeclineVoicemail]);
    assert_eq!(card.voicemail.as_ref().map(|v| v.seconds), Some(42));
}

#[test]
fn taking_a_voicemail_puts_the_agent_on_it_and_done_ends_it_with_wrap_up() {
    let w = given_agents(&["agent1"]).available("agent1").leaves_voicemail(1).at(5_000).voicemail("agent1", VoicemailStep::Take);
    assert_eq!(w.decision().events[0], Event::Voicemail(VoicemailEvent::VoicemailTaken { call: call(1), agent: agent("agent1") }));
    assert_eq!(w.presence("agent1"), Presence::OnCall { call: call(1) });
    let card = w.state.call_card(&w.state.calls[&call(1)], &agent("agent1"));
    assert_eq!(card.actions, vec![CallAction::CallBack, CallAction::VoicemailDone]);
    assert_eq!(card.legs.iter().map(|l| l.role).collect::<Vec<_>>(), vec![Role::Owner], "the caller is not on the line");

    let w = w.at(9_000).voicemail("agent1", VoicemailStep::Done);
    assert_eq!(
        w.decision().events,
        vec![
            Event::Voicemail(VoicemailEvent::VoicemailHandled { call: call(1), agent: agent("agent1") }),
            Event::Agent(AgentEvent::PresenceChanged {
                agent: agent("agent1"),
                presence: Presence::WrapUp { until: 24_000 },
                since: 9_000
            }),
            Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::VoicemailHandled, abandoned: false }),
        ]
    );
    assert!(w.effects().is_empty(), "nobody to hang up: {:?}", w.effects());
    assert!(!w.state.calls.contains_key(&call(1)));
    assert_eq!(w.decision().events[0].describe(), "voicemail handled by agent1");
}

#[test]
fn a_declined_voicemail_goes_to_the_next_agent_and_the_decliner_is_away() {
    let w = given_agents(&["agent1", "agent2"])
        .at(1_000)
        .available("agent1")
        .at(2_000)
        .available("agent2")
        .leaves_voicemail(1)
        .voicemail("agent1", VoicemailStep::Decline);
    assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::MissedCall });
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
}

#[test]
fn a_voicemail_offer_nobody_takes_is_missed_after_the_ring_time_and_offered_to_the_next() {
    let w = given_agents(&["agent1", "agent2"]).at(1_000).available("agent1").at(2_000).available("agent2").at(3_000).leaves_voicemail(1);
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    let w = w.at(3_000 + RULES.ring_timeout + RULES.offer_grace).and(Command::Tick);
    assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::MissedCall });
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    assert!(w.effects().is_empty(), "no leg to cancel: {:?}", w.effects());
}

#[test]
fn an_agent_whose_console_goes_leaves_the_voicemail_to_the_queue() {
    let w = given_agents(&["agent1"]).available("agent1").leaves_voicemail(1).voicemail("agent1", VoicemailStep::Take);
    let w = w.and(Command::SignedOut { agent: agent("agent1") });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert!(w.decision().events.contains(&Event::Voicemail(VoicemailEvent::VoicemailReturned { call: call(1), agent: agent("agent1") })));
}

#[test]
fn nothing_meant_for_a_caller_on_the_line_applies_to_a_voicemail() {
    let w = given_agents(&["agent1", "agent2", "boss"]).available("agent1").leaves_voicemail(1).voicemail("agent1", VoicemailStep::Take);
    let w = w.when(Command::Hold { agent: agent("agent1"), hold: true });
    assert_eq!(w.refusal(), "this is a voicemail: nobody is on the line (listen to it, call back, mark it done)");
    let w = w.when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Agent(agent("agent2")) } });
    assert!(w.refusal().contains("voicemail"));
    let w = w.when(Command::Monitor { supervisor: agent("boss"), call: call(1), mode: MonitorMode::Listen });
    assert!(w.refusal().contains("voicemail"));
    // Steps out of turn say why.
    let w = w.voicemail("agent1", VoicemailStep::Take);
    assert_eq!(w.refusal(), "you have taken this voicemail already: mark it done when you have dealt with it");
    let w = w.voicemail("agent2", VoicemailStep::Done);
    assert_eq!(w.refusal(), "no voicemail is offered to you");
}

#[test]
fn a_repeated_recording_request_leaves_one_voicemail_and_a_handled_one_is_not_queued_again() {
    let w = given_agents(&["agent1"]).leaves_voicemail(1);
    let again = Command::VoicemailLeft { call: call(1), from: None, recording: recording(1), seconds: 42, recorded: false };
    let w = w.when(again);
    assert!(w.decision().events.is_empty());
    let w = given_agents(&["agent1"]).when(Command::VoicemailLeft {
        call: call(1),
        from: None,
        recording: recording(1),
        seconds: 42,
        recorded: true,
    });
    assert!(w.decision().events.is_empty());
}

#[test]
fn the_transcription_arrives_with_the_voicemail_and_is_shown_with_it() {
    let w =
        given_agents(&["agent1"]).leaves_voicemail(1).and(Command::Transcribed { call: call(1), text: "  please call me back  ".into() });
    assert_eq!(
        w.decision().events,
        vec![Event::Voicemail(VoicemailEvent::VoicemailTranscribed { call: call(1), text: "please call me back".into() })]
    );
    assert_eq!(w.state.calls[&call(1)].as_voicemail().and_then(|v| v.transcript.as_deref()), Some("please call me back"));
    let w = w.when(Command::Transcribed { call: call(9), text: "unknown call".into() });
    assert!(w.decision().events.is_empty());
}

#[test]
fn calling_back_from_a_voicemail_rings_the_agent_first_then_the_caller() {
    let w = given_agents(&["agent1"]).available("agent1").leaves_voicemail(1).voicemail("agent1", VoicemailStep::Take);
    assert_eq!(
        w.state.call_card(&w.state.calls[&call(1)], &agent("agent1")).actions,
        vec![CallAction::CallBack, CallAction::VoicemailDone]
    );
    let w = w.voicemail("agent1", VoicemailStep::CallBack);
    let number = crate::ids::E164::parse(caller(1).as_str()).unwrap();
    assert_eq!(
        w.decision().events[0],
        Event::Voicemail(VoicemailEvent::VoicemailCalledBack { call: call(1), agent: agent("agent1"), number: number.clone(), leg: 2 })
    );
    assert_eq!(w.effects(), &[dial(1, "agent1", 2)]);
    assert_eq!(w.presence("agent1"), Presence::Ringing { call: call(1) });
    // The agent answers: now the caller is called, as for any callback.
    let w = w.answers("agent1", 1, 2);
    assert_eq!(w.effects(), &[Effect::Dial { call: call(1), party: Party::Phone(number), leg: 3 }]);
    assert!(w.decision().events.contains(&Event::Callback(CallbackEvent::CallbackDialled {
        call: call(1),
        number: crate::ids::E164::parse(caller(1).as_str()).unwrap(),
        attempt: 1,
        leg: 3
    })));
}

#[test]
fn a_voicemail_without_a_number_cannot_be_called_back() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .and(Command::VoicemailLeft { call: call(1), from: None, recording: recording(1), seconds: 3, recorded: false })
        .voicemail("agent1", VoicemailStep::Take);
    assert_eq!(w.state.call_card(&w.state.calls[&call(1)], &agent("agent1")).actions, vec![CallAction::VoicemailDone]);
    let w = w.voicemail("agent1", VoicemailStep::CallBack);
    assert_eq!(w.refusal(), "the caller's number is unknown: there is no one to call back");
}
