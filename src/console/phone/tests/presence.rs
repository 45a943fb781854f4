//! Presence asked of the server, and the microphone checked before the first call.

use super::given::*;

// --- presence ----------------------------------------------------------------------------------

#[test]
fn presence_changes_go_to_the_server_one_at_a_time() {
    let mut c = ready(a1());
    assert!(!c.presence_pending());
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
    assert!(c.presence_pending());
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![], "a second click waits for the first");
    assert_eq!(c.apply(E::PresenceSet), vec![]);
    assert!(!c.presence_pending());
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![F::SetPresence(Wanted::Available)]);
}

#[test]
fn a_refused_presence_change_says_why_until_the_next_request() {
    let mut c = ready(a1());
    c.apply(E::PresenceRequested(Wanted::Away));
    assert_eq!(c.apply(E::PresenceRefused("you are on a call".into())), vec![]);
    assert_eq!(c.presence_error(), Some("you are on a call"));
    assert!(!c.presence_pending());
    // The phone is not affected.
    assert_eq!(c.status_text(), "Connected as: agent1");
    c.apply(E::PresenceRequested(Wanted::Away));
    assert_eq!(c.presence_error(), None);
}

#[test]
fn a_refused_announcement_is_shown_like_any_refusal() {
    let (mut c, _) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered]);
    c.apply(E::PresenceRefused("you are on a call".into()));
    assert_eq!(c.presence_error(), Some("you are on a call"));
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn presence_answers_nobody_asked_for_are_ignored() {
    let mut c = ready(a1());
    let before = c.clone();
    assert_eq!(c.apply(E::PresenceSet), vec![]);
    assert_eq!(c.apply(E::PresenceRefused("late".into())), vec![]);
    assert_eq!(c, before);
}

#[test]
fn presence_can_be_asked_for_while_the_phone_is_down_or_busy_but_not_before_the_start() {
    assert_eq!(Console::new().apply(E::PresenceRequested(Wanted::Away)), vec![]);
    let mut c = ready(a1());
    c.apply(E::DeviceError { code: None, message: "boom".into() });
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
    assert!(c.can_hang_up());
}

// --- the microphone, before the first call ----------------------------------------------------

fn registered_with(mic: Option<Mic>) -> (Console, Vec<Task>) {
    let mut c = Console::started(a1()).0;
    if let Some(mic) = mic {
        c.apply(E::MicChecked(mic));
    }
    c.apply(E::TabTimerFired(1));
    c.apply(E::TokenReceived("tok".into()));
    let fx = c.apply(E::Registered);
    (c, fx)
}

#[test]
fn a_blocked_microphone_is_told_before_any_call_and_the_agent_is_not_announced() {
    for (mic, words) in [
        (Mic::Denied, "the microphone is blocked for this site"),
        (Mic::Missing, "no microphone found: plug in a headset"),
        (Mic::Unusable("in use by another program".into()), "in use by another program"),
    ] {
        let (mut c, fx) = registered_with(Some(mic.clone()));
        assert_eq!(fx, vec![], "{mic:?}: no caller is put through to a silent agent");
        assert!(c.mic_problem().unwrap().contains(words), "{mic:?}: {:?}", c.mic_problem());
        assert!(c.phone_ready(), "the phone itself is fine");
        // Asking to be available says why not.
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![]);
        assert!(c.presence_error().unwrap().starts_with("not available: "), "{:?}", c.presence_error());
        // Away is fine.
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
    }
}

#[test]
fn once_the_microphone_is_allowed_the_agent_is_announced() {
    let (mut c, _) = registered_with(Some(Mic::Denied));
    assert_eq!(c.apply(E::CheckMicClicked), vec![F::CheckMicrophone]);
    assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![F::SetPresence(Wanted::Available)]);
    assert_eq!(c.mic_problem(), None);
    assert_eq!(c.presence_error(), None);
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![], "announced once");
}

#[test]
fn the_announcement_waits_for_the_microphone_check_whichever_comes_last() {
    let (mut c, fx) = registered_with(None);
    assert_eq!(fx, vec![], "the check has not answered yet");
    assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![F::SetPresence(Wanted::Available)]);
    let (_, fx) = registered_with(Some(Mic::Ready));
    assert_eq!(fx, vec![F::SetPresence(Wanted::Available)]);
}
