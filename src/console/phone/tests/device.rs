//! Connecting the phone, losing the device, and its token.

use super::given::*;

// --- starting and connecting -----------------------------------------------------------------

#[test]
fn a_new_console_is_offline_with_nothing_to_offer() {
    let c = Console::new();
    assert_eq!(c.status_text(), "Offline");
    assert!(!c.can_reconnect(), "nobody to reconnect as before the start");
    assert!(!c.phone_ready());
    assert!(no_call_buttons(&c));
    assert_eq!(c.me(), None);
}

#[test]
fn starting_connects_the_phone_for_the_signed_in_agent_by_itself() {
    let (c, fx) = Console::started(a1());
    // First the microphone and the other tabs; the token once no tab holds the phone.
    assert_eq!(fx, vec![F::CheckMicrophone, F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 1 }]);
    assert_eq!(c.status_text(), "Connecting as agent1…");
    assert_eq!(c.me(), Some(&a1()));
    assert!(!c.can_reconnect());
    assert_eq!((c.clone(), fx), run([E::Start(a1())]));
    assert_eq!(c.transition(E::TabTimerFired(1)).1, vec![F::FetchToken(a1())]);
}

#[test]
fn a_console_that_cannot_start_says_why_and_offers_nothing() {
    let mut c = Console::unusable("unusable identity 'x y'");
    assert_eq!(c.status_text(), "ERROR: unusable identity 'x y'");
    assert!(!c.can_reconnect());
    assert_eq!(c.apply(E::ReconnectClicked), vec![]);
    assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![]);
}

#[test]
fn a_second_start_changes_nothing() {
    let mut c = Console::started(a1()).0;
    let before = c.clone();
    assert_eq!(c.apply(E::Start(a2())), vec![]);
    assert_eq!(c, before);
    let mut c = ready(a1());
    assert_eq!(c.apply(E::Start(a2())), vec![]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn a_fetched_token_creates_and_registers_the_device() {
    let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into())]);
    assert_eq!(fx, vec![F::CreateDevice { token: "tok".into() }]);
    assert!(matches!(c.phase(), Phase::Connecting { .. }));
}

#[test]
fn a_token_that_cannot_be_fetched_shows_the_error_and_offers_to_reconnect() {
    let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenFailed("no such agent".into())]);
    assert_eq!(fx, vec![]);
    assert_eq!(c.status_text(), "ERROR: no such agent");
    assert!(c.is_error());
    assert!(c.can_reconnect());
}

#[test]
fn the_first_registration_shows_who_is_connected_and_announces_the_agent_available() {
    let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered]);
    assert_eq!(fx, vec![F::SetPresence(Wanted::Available)]);
    assert_eq!(c.status_text(), "Connected as: agent1");
    assert!(c.phone_ready());
    assert!(c.presence_pending());
    assert!(!c.can_reconnect());
    assert!(no_call_buttons(&c));
}

#[test]
fn a_device_error_while_connecting_destroys_the_device_and_offers_to_reconnect() {
    let (c, fx) = run([
        E::Start(a2()),
        E::MicChecked(Mic::Ready),
        E::TabTimerFired(1),
        E::TokenReceived("tok".into()),
        E::DeviceError { code: Some(31204), message: "JWT is invalid".into() },
    ]);
    assert_eq!(fx, vec![F::DestroyDevice]);
    assert_eq!(c.status_text(), "ERROR: the access token is not valid");
    assert!(c.can_reconnect());
    assert!(!c.phone_ready());
}

#[test]
fn a_second_report_of_the_same_failure_keeps_the_first_message() {
    let mut c = run([
        E::Start(a1()),
        E::MicChecked(Mic::Ready),
        E::TabTimerFired(1),
        E::DeviceError { code: Some(31204), message: "JWT is invalid".into() },
    ])
    .0;
    // register() rejecting after the `error` event.
    assert_eq!(c.apply(E::DeviceError { code: None, message: "other".into() }), vec![]);
    assert_eq!(c.status_text(), "ERROR: the access token is not valid");
}

#[test]
fn a_device_error_while_ready_shows_the_error_and_destroys_the_device() {
    let mut c = ready(a1());
    let fx = c.apply(E::DeviceError { code: Some(20104), message: "Access Token expired".into() });
    assert_eq!(fx, vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
    assert_eq!(c.status_text(), "ERROR: the access token expired");
    assert!(c.can_reconnect());
}

#[test]
fn a_destroyed_device_while_ready_goes_offline_tells_the_server_and_offers_to_reconnect() {
    let mut c = ready(a1());
    assert_eq!(c.apply(E::Destroyed), vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
    assert_eq!(c.status_text(), "Offline");
    assert!(c.can_reconnect());
    assert!(!c.phone_ready());
}

// --- the signalling connection dropping while idle -------------------------------------------------

/// The order the Voice SDK reports a dropped signalling socket in (read from its source:
/// `wstransport` emits 31005 on an abnormal close, then `pstream` goes offline).
fn dropped() -> [Input; 2] {
    [
        E::DeviceError { code: Some(31005), message: "Websocket connection to Twilio's signaling servers were unexpectedly ended".into() },
        E::Unregistered,
    ]
}

#[test]
fn a_dropped_signalling_connection_keeps_the_device_says_reconnecting_and_tells_the_server() {
    let mut c = ready(a1());
    let [error, unregistered] = dropped();
    let fx = c.apply(error);
    assert_eq!(
        fx,
        vec![F::StartReconnectTimer { ms: GIVE_UP_MS, seq: 1 }, F::SetPresence(Wanted::Offline)],
        "no DestroyDevice: the SDK recovers by itself"
    );
    assert_eq!(c.status_text(), "Reconnecting to Twilio… · no calls until it is back");
    assert!(!c.is_error());
    assert!(!c.can_reconnect(), "nothing to click: the SDK is on it");
    assert!(!c.phone_ready());
    assert_eq!(c.apply(unregistered), vec![]);
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::Registering), vec![]);
    assert_eq!(c.status_text(), "Reconnecting to Twilio… · registering again…");
    // Registered again: available again, with no click.
    assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)]);
    assert_eq!(c.status_text(), "Connected as: agent1");
    assert!(c.phone_ready());
    // The give-up timer of that drop is stale now.
    assert_eq!(c.apply(E::ReconnectTimerFired(1)), vec![]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn an_unregistered_device_with_no_error_first_is_reconnecting_too() {
    // A heartbeat missed for 15 s closes the socket with no error.
    let mut c = ready(a1());
    assert_eq!(c.apply(E::Unregistered), vec![F::StartReconnectTimer { ms: GIVE_UP_MS, seq: 1 }, F::SetPresence(Wanted::Offline)]);
    assert!(matches!(c.phase(), Phase::Reconnecting { .. }));
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)]);
}

#[test]
fn a_drop_not_recovered_in_time_gives_the_device_up_and_offers_to_reconnect() {
    let (mut c, _) = {
        let mut c = ready(a1());
        let fx = c.apply(E::Unregistered);
        (c, fx)
    };
    c.apply(E::PresenceSet);
    // Further errors of the SDK's retries change nothing.
    assert_eq!(c.apply(E::DeviceError { code: Some(31005), message: "again".into() }), vec![]);
    assert_eq!(c.apply(E::DeviceError { code: Some(31009), message: "No transport available".into() }), vec![]);
    assert_eq!(c.apply(E::ReconnectTimerFired(1)), vec![F::DestroyDevice], "the server already knows them offline");
    assert_eq!(c.status_text(), "ERROR: the connection to Twilio was lost");
    assert!(c.can_reconnect());
    assert_eq!(c.apply(E::ReconnectClicked), vec![F::FetchToken(a1())]);
}

#[test]
fn a_failure_the_sdk_does_not_recover_from_while_reconnecting_gives_the_device_up() {
    let mut c = ready(a1());
    c.apply(E::Unregistered);
    c.apply(E::PresenceSet);
    // The socket came back but Twilio refuses the token.
    let fx = c.apply(E::DeviceError { code: Some(31204), message: "JWT is invalid".into() });
    assert_eq!(fx, vec![F::DestroyDevice]);
    assert_eq!(c.status_text(), "ERROR: the access token is not valid");
    assert!(c.can_reconnect());
    assert!(gives_up(Some(20104)) && gives_up(None) && !gives_up(Some(31005)) && !gives_up(Some(31000)));
}

#[test]
fn a_device_destroyed_while_reconnecting_is_offline() {
    let mut c = ready(a1());
    c.apply(E::Unregistered);
    c.apply(E::PresenceSet);
    assert_eq!(c.apply(E::Destroyed), vec![F::DestroyDevice]);
    assert_eq!(c.status_text(), "Offline");
    assert!(c.can_reconnect());
}

#[test]
fn a_call_offered_while_reconnecting_is_turned_away() {
    let mut c = ready(a1());
    c.apply(E::Unregistered);
    assert_eq!(c.apply(E::Incoming { call_sid: sid(4), from: "+1".into() }), vec![F::RejectIncoming { call_sid: sid(4) }]);
}

#[test]
fn a_phone_that_never_registered_is_not_kept_reconnecting() {
    // The first connection failing is shown as before: there is no phone yet to wait for.
    let mut c = Console::started(a1()).0;
    c.apply(E::TokenReceived("tok".into()));
    assert_eq!(c.apply(E::DeviceError { code: Some(31005), message: "lost".into() }), vec![F::DestroyDevice]);
    assert!(c.can_reconnect());
}

#[test]
fn reconnect_clicks_are_ignored_while_connected_or_connecting() {
    let mut c = ready(a1());
    assert_eq!(c.apply(E::ReconnectClicked), vec![]);
    assert_eq!(c.status_text(), "Connected as: agent1");
    let mut c = Console::started(a1()).0;
    assert_eq!(c.apply(E::ReconnectClicked), vec![]);
    assert_eq!(Console::new().apply(E::ReconnectClicked), vec![]);
}

#[test]
fn reconnecting_after_an_error_starts_from_a_fresh_token_for_the_same_agent() {
    let mut c = ready(a1());
    c.apply(E::DeviceError { code: None, message: "boom".into() });
    assert_eq!(c.apply(E::ReconnectClicked), vec![F::FetchToken(a1())]);
    assert_eq!(c.status_text(), "Connecting as agent1…");
}

#[test]
fn registering_again_after_the_phone_was_gone_announces_the_agent_available_again() {
    let mut c = ready(a1());
    c.apply(E::Destroyed);
    c.apply(E::PresenceSet);
    c.apply(E::ReconnectClicked);
    c.apply(E::TokenReceived("tok2".into()));
    assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)], "the server knew them offline");
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn a_device_error_while_ready_tells_the_server_the_phone_is_gone() {
    let mut c = ready(a1());
    let fx = c.apply(E::DeviceError { code: Some(31201), message: "Authentication failed".into() });
    assert_eq!(fx, vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
    // A phone that never registered had announced nothing: nothing to take back.
    let mut c = Console::started(a1()).0;
    c.apply(E::TokenReceived("tok".into()));
    assert_eq!(c.apply(E::DeviceError { code: None, message: "boom".into() }), vec![F::DestroyDevice]);
}

#[test]
fn a_phone_that_never_registered_announces_on_its_first_registration_after_a_reconnect() {
    let mut c = run([
        E::Start(a1()),
        E::MicChecked(Mic::Ready),
        E::TabTimerFired(1),
        E::TokenReceived("tok".into()),
        E::DeviceError { code: Some(31205), message: "expired".into() },
    ])
    .0;
    assert_eq!(c.apply(E::ReconnectClicked), vec![F::FetchToken(a1())]);
    c.apply(E::TokenReceived("tok2".into()));
    assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)]);
}

// --- the access token ------------------------------------------------------------------------------

#[test]
fn a_token_about_to_expire_while_reconnecting_is_refreshed_too() {
    let mut c = ready(a1());
    c.apply(E::Unregistered);
    assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
    assert_eq!(c.apply(E::TokenRefreshed("new".into())), vec![F::UpdateToken("new".into())]);
}

#[test]
fn a_token_about_to_expire_is_refreshed_and_handed_to_the_device() {
    let mut c = ready(a1());
    assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
    assert_eq!(c.apply(E::TokenRefreshed("new".into())), vec![F::UpdateToken("new".into())]);
    assert_eq!(c.status_text(), "Connected as: agent1");
}

#[test]
fn the_token_expiring_mid_call_is_refreshed_without_dropping_the_call() {
    let mut c = dialling();
    let before = c.phase().clone();
    assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
    assert_eq!(c.apply(E::TokenRefreshed("new".into())), vec![F::UpdateToken("new".into())]);
    assert_eq!(c.phase(), &before);
    assert!(c.can_hang_up());
}

#[test]
fn a_refresh_already_under_way_is_not_started_twice() {
    let mut c = ready(a1());
    c.apply(E::TokenWillExpire);
    assert_eq!(c.apply(E::TokenWillExpire), vec![]);
    c.apply(E::TokenRefreshed("new".into()));
    assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
}

#[test]
fn a_failed_token_refresh_keeps_the_call_and_says_so() {
    let mut c = in_call(a1());
    c.apply(E::TokenWillExpire);
    assert_eq!(c.apply(E::TokenRefreshFailed("server down".into())), vec![]);
    assert!(c.can_hang_up());
    assert_eq!(c.status_text(), "In call with customer · could not refresh the access token: server down");
    // It may be tried again on the next warning.
    assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
}

#[test]
fn a_refreshed_token_arriving_after_going_offline_is_dropped() {
    let mut c = ready(a1());
    c.apply(E::TokenWillExpire);
    c.apply(E::Destroyed);
    assert_eq!(c.apply(E::TokenRefreshed("late".into())), vec![]);
    assert_eq!(c.status_text(), "Offline");
}

#[test]
fn transition_leaves_the_original_console_untouched() {
    let c = ready(a1());
    let (next, fx) = c.transition(E::Incoming { call_sid: sid(3), from: "+1".into() });
    assert_eq!(c.status_text(), "Connected as: agent1");
    assert_eq!(next.status_text(), "Incoming support call");
    assert_eq!(fx, vec![F::WatchCall { call_sid: sid(3) }]);
}
