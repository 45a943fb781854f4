//! A call ringing, answered, talked on (steps, mute, quality, keypad) and ended.

use super::given::*;

// --- an incoming call ----------------------------------------------------------------------------

#[test]
fn an_incoming_call_rings_and_enables_answer() {
    let mut c = ready(a1());
    let fx = c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
    assert_eq!(fx, vec![F::WatchCall { call_sid: sid(1) }]);
    assert_eq!(c.status_text(), "Incoming support call");
    assert!(c.can_answer());
    assert!(!c.can_hang_up());
    assert!(!c.can_transfer());
}

#[test]
fn clicking_answer_accepts_the_call_once() {
    let mut c = ringing(a1());
    assert_eq!(c.apply(E::AnswerClicked), vec![F::AcceptCall]);
    assert!(!c.can_answer());
    assert_eq!(c.status_text(), "Incoming support call · answering…");
    assert_eq!(c.apply(E::AnswerClicked), vec![]);
}

#[test]
fn answering_an_incoming_call_puts_the_agent_in_call() {
    let c = in_call(a1());
    assert_eq!(c.status_text(), "In call with customer");
    assert!(c.can_hang_up());
    assert!(!c.can_answer());
    assert!(c.can_transfer());
}

#[test]
fn the_caller_hanging_up_before_the_agent_answers_returns_to_ready_with_a_note() {
    let mut c = ringing(a1());
    assert_eq!(c.apply(E::Cancelled), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1 · Call stopped ringing");
    assert!(no_call_buttons(&c));
}

#[test]
fn a_new_call_clears_the_note_about_the_last_one() {
    let mut c = ringing(a1());
    c.apply(E::Cancelled);
    c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
    assert_eq!(c.status_text(), "Incoming support call");
}

#[test]
fn a_rejected_incoming_call_returns_to_ready() {
    let mut c = ringing(a1());
    assert_eq!(c.apply(E::Rejected), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn a_call_error_while_answering_ends_that_call_with_a_note() {
    let mut c = ringing(a1());
    c.apply(E::AnswerClicked);
    let fx = c.apply(E::CallError { code: None, message: "Permission denied".into() });
    assert_eq!(fx, vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1 · Call failed: Permission denied");
    assert!(no_call_buttons(&c));
}

#[test]
fn a_second_incoming_call_while_ringing_is_rejected_and_the_first_kept() {
    let mut c = ringing(a1());
    let before = c.clone();
    let fx = c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
    assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
    assert_eq!(c, before);
}

#[test]
fn a_second_incoming_call_while_in_call_is_rejected_and_the_current_call_kept() {
    let mut c = in_call(a1());
    let before = c.clone();
    let fx = c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
    assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
    assert_eq!(c, before);
    assert!(c.can_hang_up());
}

#[test]
fn the_current_call_reported_again_is_not_rejected() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() }), vec![]);
    assert!(c.can_hang_up());
}

#[test]
fn an_incoming_call_before_registration_is_rejected() {
    let (c, fx) =
        run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::Incoming { call_sid: sid(1), from: "+15550001".into() }]);
    assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(1) }]);
    assert!(matches!(c.phase(), Phase::Connecting { .. }));
}

// --- transfer steps -------------------------------------------------------------------------------

#[test]
fn transfer_steps_are_asked_for_only_during_a_call() {
    assert!(!ready(a1()).can_transfer());
    assert!(!ringing(a1()).can_transfer());
    assert!(in_call(a2()).can_transfer(), "every agent may transfer, not only agent1");
    for mut c in [ready(a1()), ringing(a1())] {
        assert_eq!(c.apply(E::TransferRequested(consult("agent2"))), vec![]);
    }
}

#[test]
fn a_consult_calls_the_server_and_shows_progress() {
    let mut c = in_call(a2());
    let fx = c.apply(E::TransferRequested(consult("agent3")));
    assert_eq!(fx, vec![F::CallTransferServer(consult("agent3"))]);
    assert_eq!(c.status_text(), "In call with customer · consult agent3…");
    assert_eq!(c.asking(), Some(&consult("agent3")));
    assert!(!c.can_transfer());
    assert!(c.can_hang_up());
}

#[test]
fn whether_a_step_makes_sense_is_the_servers_to_say_and_its_refusal_is_shown() {
    // The console asks; the center refuses a transfer to oneself (and anything else that
    // makes no sense now), and the reason is shown.
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::TransferRequested(consult("agent1"))), vec![F::CallTransferServer(consult("agent1"))]);
    c.apply(E::TransferFailed("you cannot transfer a call to yourself".into()));
    assert_eq!(c.status_text(), "In call with customer · could not consult agent1: you cannot transfer a call to yourself");
    assert!(c.can_transfer());
}

#[test]
fn a_second_click_while_asking_does_nothing() {
    let mut c = dialling();
    assert_eq!(c.apply(E::TransferRequested(TransferRequest::step(CallAction::Cancel))), vec![]);
    assert_eq!(c.asking(), Some(&consult("agent2")));
}

#[test]
fn a_step_the_server_took_returns_to_plain_in_call() {
    let mut c = dialling();
    assert_eq!(c.apply(E::TransferDone), vec![]);
    assert_eq!(c.status_text(), "In call with customer");
    assert!(c.can_transfer());
    assert_eq!(c.asking(), None);
}

#[test]
fn a_refused_step_keeps_the_call_and_says_why() {
    let mut c = dialling();
    assert_eq!(c.apply(E::TransferFailed("agent2 is away; only an available agent can take a transfer".into())), vec![]);
    assert_eq!(
        c.status_text(),
        "In call with customer · could not consult agent2: agent2 is away; only an available agent can take a transfer"
    );
    assert!(c.can_hang_up());
    assert!(c.can_transfer());
}

#[test]
fn mute_toggles_the_microphone_and_says_so() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::MuteClicked), vec![F::MuteCall(true)]);
    assert!(c.muted());
    assert_eq!(c.status_text(), "In call with customer · muted");
    assert_eq!(c.apply(E::MuteClicked), vec![F::MuteCall(false)]);
    assert!(!c.muted());
    // No call, nothing to mute.
    assert_eq!(ready(a1()).apply(E::MuteClicked), vec![]);
}

#[test]
fn the_keypad_sends_only_dtmf_keys_during_a_call() {
    let mut c = in_call(a1());
    let sent = |d: &str| vec![F::SendDigits(d.into()), F::PlayTones { digits: d.into(), sink: None }];
    assert_eq!(c.apply(E::DigitsPressed("1".into())), sent("1"));
    assert_eq!(c.apply(E::DigitsPressed("12#*w9<script>".into())), sent("12#*w9"));
    assert_eq!(c.apply(E::DigitsPressed("abc".into())), vec![]);
    assert_eq!(ready(a1()).apply(E::DigitsPressed("1".into())), vec![]);
}

#[test]
fn errors_an_agent_can_act_on_read_as_sentences_others_keep_the_sdks_message() {
    assert_eq!(
        error_words(Some(31401), "Permission denied"),
        "the browser may not use the microphone: allow it in the site settings, then reconnect"
    );
    assert_eq!(error_words(Some(53405), "Media connection failed"), "the audio connection failed (the network or a firewall blocks it)");
    assert_eq!(error_words(Some(31000), "General error"), "General error");
    assert_eq!(error_words(None, "boom"), "boom");
    let mut c = in_call(a1());
    c.apply(E::CallError { code: Some(31005), message: "Connection error".into() });
    assert_eq!(c.status_text(), "In call with customer · ERROR: the connection to Twilio was lost");
}

#[test]
fn call_quality_warnings_show_in_plain_words_while_they_last() {
    let mut c = in_call(a1());
    c.apply(E::QualityWarning("high-rtt".into()));
    c.apply(E::QualityWarning("high-packet-loss".into()));
    c.apply(E::QualityWarning("high-rtt".into()));
    assert_eq!(c.status_text(), "In call with customer · poor connection: high delay, audio dropping out");
    c.apply(E::QualityCleared("high-rtt".into()));
    assert_eq!(c.status_text(), "In call with customer · poor connection: audio dropping out");
    c.apply(E::Reconnecting);
    assert_eq!(c.status_text(), "In call with customer · reconnecting…");
    c.apply(E::Reconnected);
    c.apply(E::QualityCleared("high-packet-loss".into()));
    assert_eq!(c.status_text(), "In call with customer");
    assert!(c.can_hang_up(), "a reconnect is not the end of the call");
    assert_eq!(quality_words("something-new"), "something-new");
}

// --- the call ending -------------------------------------------------------------------------------

#[test]
fn hanging_up_ends_this_agents_leg_and_returns_to_ready() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1");
    assert!(no_call_buttons(&c));
    // The SDK's own `disconnect` after our hang-up changes nothing.
    assert_eq!(c.apply(E::Disconnected), vec![]);
}

#[test]
fn the_call_ending_returns_to_ready_with_the_call_buttons_disabled() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1");
    assert!(no_call_buttons(&c));
    assert!(c.phone_ready());
}

#[test]
fn a_disconnect_while_dialling_returns_to_ready_and_ignores_the_late_dial_result() {
    let mut c = dialling();
    assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
    let after = c.clone();
    assert_eq!(c.apply(E::TransferDone), vec![]);
    assert_eq!(c.apply(E::TransferFailed("late".into())), vec![]);
    assert_eq!(c, after);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn an_error_during_a_call_keeps_the_call_and_shows_the_error() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::CallError { code: None, message: "ICE failed".into() }), vec![]);
    assert_eq!(c.status_text(), "In call with customer · ERROR: ICE failed");
    assert!(c.can_hang_up());
    assert!(!c.can_reconnect());
    assert!(!c.is_error(), "the line is not an error state: the call goes on");
}

#[test]
fn a_dropped_signalling_connection_during_a_call_keeps_the_call() {
    let mut c = in_call(a1());
    let fx = c.apply(E::DeviceError { code: Some(31005), message: "connection lost".into() });
    assert_eq!(fx, vec![F::StartReconnectTimer { ms: GIVE_UP_MS, seq: 1 }]);
    assert_eq!(c.apply(E::Unregistered), vec![]);
    // The call says it is reconnecting (Twilio gave it a reconnect token).
    c.apply(E::Reconnecting);
    assert_eq!(c.status_text(), "In call with customer · reconnecting…");
    assert!(c.can_hang_up());
    assert!(!c.phone_ready());
    c.apply(E::Reconnected);
    assert_eq!(c.apply(E::Registered), vec![]);
    assert_eq!(c.status_text(), "In call with customer");
    assert!(c.phone_ready());
    assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn a_device_failure_during_a_call_keeps_the_call_and_says_so() {
    let mut c = in_call(a1());
    let fx = c.apply(E::DeviceError { code: Some(20104), message: "Access Token expired".into() });
    assert_eq!(fx, vec![]);
    assert_eq!(c.status_text(), "In call with customer · ERROR: the access token expired");
    assert!(c.can_hang_up());
}

#[test]
fn a_call_ending_while_the_sdk_reconnects_lands_on_reconnecting_and_tells_the_server() {
    let mut c = in_call(a1());
    c.apply(E::Unregistered);
    assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall, F::SetPresence(Wanted::Offline)], "the device is kept");
    assert_eq!(c.status_text(), "Reconnecting to Twilio… · no calls until it is back");
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn a_device_destroyed_during_a_call_keeps_the_call_and_goes_offline_after_it() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::Destroyed), vec![]);
    assert!(c.can_hang_up());
    assert!(!c.phone_ready());
    assert_eq!(c.status_text(), "In call with customer · Offline: reconnect after this call");
    assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall, F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
    assert_eq!(c.status_text(), "Offline");
    assert!(c.can_reconnect());
}

#[test]
fn a_drop_not_recovered_in_time_during_a_call_goes_offline_after_it() {
    let mut c = in_call(a1());
    c.apply(E::Unregistered);
    assert_eq!(c.apply(E::ReconnectTimerFired(1)), vec![]);
    assert!(c.can_hang_up());
    assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall, F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
    assert!(c.can_reconnect());
}

#[test]
fn registering_again_during_a_call_lands_on_ready_after_it() {
    let mut c = in_call(a1());
    c.apply(E::Unregistered);
    assert_eq!(c.apply(E::Registered), vec![]);
    assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

// --- the call ending by the SDK's other paths, and the server's word ---------------------------------

#[test]
fn a_call_the_sdk_closes_without_a_disconnect_leaves_the_console_at_once() {
    let mut c = in_call(a1());
    c.apply(E::DeviceError { code: Some(31005), message: "connection lost".into() });
    assert_eq!(c.apply(E::CallClosed), vec![F::DisconnectCall, F::SetPresence(Wanted::Offline)]);
    assert!(!c.can_hang_up());
    assert_eq!(c.status_text(), "Reconnecting to Twilio… · no calls until it is back");
    // Registered already (the device's events come in either order): Ready, with the note.
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::CallClosed), vec![F::DisconnectCall]);
    assert_eq!(c.status_text(), "Connected as: agent1 · Call ended: the connection to Twilio was lost");
    // A ringing call too.
    let mut c = ringing(a1());
    assert_eq!(c.apply(E::CallClosed), vec![F::DisconnectCall]);
    assert!(!c.can_answer());
    // Nothing to close when there is no call.
    assert_eq!(ready(a1()).apply(E::CallClosed), vec![]);
}

#[test]
fn the_server_saying_the_call_is_over_ends_it_here_too() {
    let mut c = in_call(a1());
    assert_eq!(c.apply(E::ServerPresence { busy: true }), vec![]);
    assert!(c.can_hang_up());
    assert_eq!(c.apply(E::ServerPresence { busy: false }), vec![F::DisconnectCall]);
    assert!(!c.can_hang_up());
    assert_eq!(c.status_text(), "Connected as: agent1");
    // The SDK's late `disconnect` changes nothing.
    assert_eq!(c.apply(E::Disconnected), vec![]);
}

#[test]
fn the_server_not_yet_knowing_of_a_call_answered_here_does_not_end_it() {
    // The browser answers before Twilio tells the server: the server still says "available"
    // (or ringing) for a moment. Only its word after it had the agent on the call counts.
    let mut c = ready(a1());
    c.apply(E::ServerPresence { busy: false });
    c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
    c.apply(E::AnswerClicked);
    c.apply(E::Accepted);
    assert_eq!(c.apply(E::ServerPresence { busy: false }), vec![]);
    assert!(c.can_hang_up());
    c.apply(E::ServerPresence { busy: true });
    assert_eq!(c.apply(E::ServerPresence { busy: true }), vec![]);
    assert!(c.can_hang_up());
    // Busy before the call (ringing on the server) counts as well.
    let mut c = ready(a1());
    c.apply(E::ServerPresence { busy: true });
    c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
    c.apply(E::AnswerClicked);
    c.apply(E::Accepted);
    assert_eq!(c.apply(E::ServerPresence { busy: false }), vec![F::DisconnectCall]);
}

#[test]
fn the_server_saying_over_during_a_drop_leaves_the_call_for_reconnecting() {
    let mut c = in_call(a1());
    c.apply(E::ServerPresence { busy: true });
    c.apply(E::DeviceError { code: Some(31005), message: "connection lost".into() });
    c.apply(E::Unregistered);
    c.apply(E::Reconnecting);
    assert_eq!(c.apply(E::ServerPresence { busy: false }), vec![F::DisconnectCall, F::SetPresence(Wanted::Offline)]);
    assert_eq!(c.status_text(), "Reconnecting to Twilio… · no calls until it is back");
    assert!(!c.can_hang_up());
}
