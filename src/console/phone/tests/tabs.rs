//! One phone among the agent's tabs.

use super::given::*;

// --- one phone among the agent's tabs ----------------------------------------------------------

fn heard(from: u64, earlier: bool, signal: TabSignal) -> Input {
    E::TabHeard { from: TabId(from), earlier, signal }
}

/// A second tab, started while another tab holds the phone.
fn second_tab() -> Console {
    let mut c = Console::started(a1()).0;
    c.apply(E::MicChecked(Mic::Ready));
    let fx = c.apply(heard(1, true, TabSignal::Held { busy: false }));
    assert_eq!(fx, vec![F::StartTabTimer { ms: WATCH_MS, seq: 2 }], "it looks again later");
    c
}

#[test]
fn a_tab_opened_while_another_holds_the_phone_says_so_and_registers_nothing() {
    let mut c = second_tab();
    assert_eq!(c.status_text(), "Phone open in another tab");
    assert!(c.can_take_over());
    assert!(!c.phone_ready());
    assert!(!c.can_reconnect());
    assert_eq!(c.apply(E::TabTimerFired(1)), vec![], "the ask timer is stale once answered");
    assert_eq!(c.apply(E::Incoming { call_sid: sid(1), from: "+1555".into() }), vec![F::RejectIncoming { call_sid: sid(1) }]);
}

#[test]
fn the_holding_tab_answers_others_and_says_whether_it_is_on_a_call() {
    let mut c = ready(a1());
    assert_eq!(c.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: false })]);
    let mut c = in_call(a1());
    assert_eq!(c.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: true })]);
}

#[test]
fn taking_the_phone_over_moves_it_cleanly_from_the_other_tab() {
    // The tab that takes it over asks, and connects once released...
    let mut taker = second_tab();
    assert_eq!(taker.apply(E::TakeOverClicked), vec![F::PostTab(TabSignal::Take), F::StartTabTimer { ms: TAKE_MS, seq: 3 }]);
    assert_eq!(taker.status_text(), "Taking the phone over from the other tab…");
    assert!(!taker.can_take_over());
    assert_eq!(taker.apply(heard(1, true, TabSignal::Released { to: None })), vec![F::FetchToken(a1())]);
    taker.apply(E::TokenReceived("tok".into()));
    assert_eq!(taker.apply(E::Registered), vec![], "the agent's presence is the other tab's: nothing announced");
    assert_eq!(taker.status_text(), "Connected as: agent1");
    // ...and the holder gives it up without telling the server the agent is offline.
    let mut holder = ready(a1());
    let fx = holder.apply(heard(5, false, TabSignal::Take));
    assert_eq!(
        fx,
        vec![F::StartTabTimer { ms: WATCH_MS, seq: 3 }, F::DestroyDevice, F::PostTab(TabSignal::Released { to: Some(TabId(5)) })]
    );
    assert_eq!(holder.status_text(), "Phone open in another tab · Phone moved to another tab");
    assert!(holder.can_take_over());
    assert!(!holder.phone_ready());
    assert_eq!(holder.apply(heard(5, false, TabSignal::Ask)), vec![], "it holds nothing now");
}

#[test]
fn a_tab_on_a_call_keeps_the_phone_and_the_other_tab_says_why() {
    let mut holder = in_call(a1());
    assert_eq!(holder.apply(heard(5, false, TabSignal::Take)), vec![F::PostTab(TabSignal::Refused { to: TabId(5) })]);
    assert!(holder.can_hang_up(), "the call goes on");
    let mut taker = second_tab();
    taker.apply(E::TakeOverClicked);
    assert_eq!(taker.apply(heard(1, true, TabSignal::Refused { to: TabId(9) })), vec![F::StartTabTimer { ms: WATCH_MS, seq: 4 }]);
    assert_eq!(taker.status_text(), "Phone open in another tab · The other tab is on a call: take the phone over once it ends");
    assert!(taker.can_take_over(), "it may ask again");
}

#[test]
fn a_holder_that_never_answers_is_taken_over_after_the_timer() {
    let mut taker = second_tab();
    taker.apply(E::TakeOverClicked);
    assert_eq!(taker.apply(E::TabTimerFired(2)), vec![], "a stale timer");
    assert_eq!(taker.apply(E::TabTimerFired(3)), vec![F::FetchToken(a1())]);
}

#[test]
fn when_the_holding_tab_closes_the_others_settle_who_takes_the_phone() {
    let mut holder = ready(a1());
    assert_eq!(holder.apply(E::PageClosing), vec![F::PostTab(TabSignal::Released { to: None })]);
    let mut other = second_tab();
    let fx = other.apply(heard(1, true, TabSignal::Released { to: None }));
    assert_eq!(fx, vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 3 }]);
    assert_eq!(other.apply(E::TabTimerFired(3)), vec![F::FetchToken(a1())]);
    assert_eq!(second_tab().apply(E::PageClosing), vec![], "a tab without the phone has nothing to release");
}

#[test]
fn a_holder_gone_without_a_word_is_found_by_the_periodic_look_and_the_phone_taken() {
    let mut other = second_tab();
    other.apply(E::TakeOverClicked);
    other.apply(heard(1, true, TabSignal::Refused { to: TabId(9) }));
    // The holder is still there: it answers, and the note stays.
    assert_eq!(other.apply(E::TabTimerFired(4)), vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 5 }]);
    assert_eq!(other.apply(heard(1, true, TabSignal::Held { busy: true })), vec![F::StartTabTimer { ms: WATCH_MS, seq: 6 }]);
    assert_eq!(other.status_text(), "Phone open in another tab · The other tab is on a call: take the phone over once it ends");
    other.apply(E::TabTimerFired(6));
    other.apply(heard(1, true, TabSignal::Held { busy: false }));
    assert_eq!(other.status_text(), "Phone open in another tab", "the call there is over");
    // Then it crashes: the next look goes unanswered, and this tab takes the phone.
    assert_eq!(other.apply(E::TabTimerFired(8)), vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 9 }]);
    assert_eq!(other.apply(E::TabTimerFired(9)), vec![F::FetchToken(a1())]);
}

#[test]
fn of_two_tabs_starting_together_the_earlier_one_claims_the_phone() {
    let mut early = Console::started(a1()).0;
    assert_eq!(early.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: false })]);
    assert_eq!(early.apply(E::TabTimerFired(1)), vec![F::FetchToken(a1())]);
    let mut late = Console::started(a1()).0;
    assert_eq!(late.apply(heard(1, true, TabSignal::Ask)), vec![], "waits for the earlier tab's claim");
    late.apply(heard(1, true, TabSignal::Held { busy: false }));
    assert!(late.can_take_over());
}
