//! `/phone`: a customer's phone for the simulator. Calls the support number, hangs up, and shows
//! what the customer hears and who is in their conference, polling the simulator twice a second.
//! While open it holds its own number (the From field), so the app's calls to that number (a
//! callback) ring here to be answered or declined; a live call has a keypad, and a voice (typed)
//! for menus and voicemail (see `phone_controls`).

use leptos::prelude::*;

use super::parts::{call_status_text, conference_status_text, poll_tick, SimHeader};
use super::phone_controls::{CallControls, IncomingCall};
use crate::api::simulator::{
    is_phone_number, sim_phone_hold, sim_phone_say, sim_state, IncomingCallDto, SimCustomerCall, SimCustomerHangup, SimListeningDto,
    SimStateDto, FROM_ERROR,
};

/// The number the phone calls from unless the user types another.
pub const DEFAULT_FROM: &str = "+15551230000";

#[component]
pub fn PhonePage() -> impl IntoView {
    let tick = poll_tick();
    let hydrated = crate::live::hydrated();
    let state = Resource::new(move || tick.get(), |_| sim_state());

    // This phone's call: set when "Call support" succeeds, kept after it ends (to show how).
    let my_call = RwSignal::new(None::<String>);
    // Whether that call still rings or talks, from the latest state (browser only).
    let my_call_live = RwSignal::new(false);
    let from = RwSignal::new(DEFAULT_FROM.to_string());
    let error = RwSignal::new(None::<String>);

    let call = ServerAction::<SimCustomerCall>::new();
    let hangup = ServerAction::<SimCustomerHangup>::new();
    // Calls ringing on this page, what the page's call waits for, and the message being recorded.
    let incoming = RwSignal::new(Vec::<IncomingCallDto>::new());
    let listening = RwSignal::new(None::<SimListeningDto>);
    let in_progress = RwSignal::new(false);
    let in_call = Memo::new(move |_| in_progress.get() && my_call_live.get());
    let record_text = RwSignal::new(String::new());

    // The page holds its number while open, renewing with every poll (browser only: effects do
    // not run on the server); the answer is what rings here.
    Effect::new(move |_| {
        tick.track();
        let number = from.get_untracked().trim().to_string();
        if is_phone_number(&number) {
            leptos::task::spawn_local(async move {
                if let Ok(ringing) = sim_phone_hold(number).await {
                    incoming.set(ringing);
                }
            });
        }
    });

    Effect::new(move |_| match call.value().get() {
        Some(Ok(sid)) => {
            error.set(None);
            my_call.set(Some(sid));
            my_call_live.set(true);
            state.refetch();
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    Effect::new(move |_| match hangup.value().get() {
        Some(Ok(())) => {
            error.set(None);
            state.refetch();
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    Effect::new(move |_| {
        if let (Some(Ok(s)), Some(sid)) = (state.get(), my_call.get()) {
            // A state fetched before the call existed says nothing about it.
            if let Some(c) = s.call(&sid) {
                my_call_live.set(c.is_live());
                in_progress.set(c.status == "in-progress");
                listening.set(c.listening.clone());
            }
        }
    });

    let can_call = move || hydrated.get() && !call.pending().get() && !my_call_live.get();
    let can_hang_up = move || hydrated.get() && !hangup.pending().get() && my_call_live.get() && my_call.with(Option::is_some);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !can_call() {
            return;
        }
        // Checked here too (the server has the last word) so a typo costs no request.
        let number = from.get_untracked().trim().to_string();
        if is_phone_number(&number) {
            error.set(None);
            call.dispatch(SimCustomerCall { from: number });
        } else {
            error.set(Some(FROM_ERROR.to_string()));
        }
    };
    let on_hang_up = move |_| {
        if let Some(call_sid) = my_call.get_untracked() {
            error.set(None);
            // Hanging up ends a recording: what was typed is said first, so it is recorded.
            let message = record_text.get_untracked().trim().to_string();
            let recording = listening.with_untracked(|l| l.as_ref().is_some_and(|l| l.kind == "record"));
            if recording && !message.is_empty() {
                record_text.set(String::new());
                leptos::task::spawn_local(async move {
                    let _ = sim_phone_say(call_sid.clone(), message).await;
                    hangup.dispatch(SimCustomerHangup { call_sid });
                });
            } else {
                hangup.dispatch(SimCustomerHangup { call_sid });
            }
        }
    };

    view! {
        <main class="console sim-page sim-phone">
            <SimHeader title="Customer phone" current="/phone"/>
            <p class="sim-intro">
                "Pretend to be a customer: call the support number, then answer as an agent in the "
                <a href="/">"agent console"</a> " (another tab) and watch everything on the "
                <a href="/simulator">"simulator monitor"</a> "."
            </p>
            <section class="panel" aria-label="Dial">
                <h2>"Dial"</h2>
                <form class="sim-dial" on:submit=on_submit>
                    <label for="phone-from">"From (your number)"</label>
                    <input id="phone-from" name="from" type="tel" inputmode="tel" autocomplete="tel"
                        placeholder=DEFAULT_FROM value=DEFAULT_FROM bind:value=from/>
                    <div class="buttons">
                        <button id="phone-call-button" type="submit" class="primary" disabled=move || !can_call()>
                            "Call support"
                        </button>
                        <button id="phone-hangup-button" type="button" class="danger"
                            disabled=move || !can_hang_up() on:click=on_hang_up>
                            "Hang up"
                        </button>
                    </div>
                </form>
                <p id="phone-error" class="form-error" role="alert">{move || error.get()}</p>
            </section>
            <IncomingCall incoming my_call my_call_live error/>
            <CallControls my_call in_call listening record_text error/>
            <Transition fallback=|| view! { <p id="phone-status" class="status">"Loading…"</p> }>
                {move || state.get().map(|result| match result {
                    Ok(s) => phone_readouts(&s, my_call.get()).into_any(),
                    Err(e) => view! {
                        <p id="phone-status" class="status error" role="status">{format!("ERROR: {}", e)}</p>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// The phone's display: status, what the customer hears, who is in the conference.
fn phone_readouts(s: &SimStateDto, mine: Option<String>) -> impl IntoView {
    let call = mine.as_deref().and_then(|sid| s.call(sid));
    let status = match (&mine, call) {
        (None, _) => "Idle".to_string(),
        // Placed, but not in the state fetched so far.
        (Some(_), None) => "Calling…".to_string(),
        (Some(_), Some(c)) => call_status_text(&c.status),
    };
    let hearing = call.map(|c| c.now_hearing.clone()).filter(|h| !h.is_empty()).unwrap_or_else(|| "Nothing".to_string());
    let heard = call.map(|c| c.hearing.clone()).unwrap_or_default();
    let conference = call.and_then(|c| c.conference_sid.as_deref()).and_then(|sid| s.conference(sid));
    let (with, conference_status) = match conference {
        None => ("Not in a conference".to_string(), String::new()),
        Some(cf) => {
            let others: Vec<String> = cf
                .participants
                .iter()
                .filter(|p| Some(&p.call_sid) != mine.as_ref())
                .map(|p| {
                    let flags: Vec<&str> = [(p.status == "ringing", "ringing"), (p.on_hold, "on hold"), (p.muted, "muted")]
                        .into_iter()
                        .filter_map(|(on, word)| on.then_some(word))
                        .collect();
                    if flags.is_empty() {
                        p.name.clone()
                    } else {
                        format!("{} ({})", p.name, flags.join(", "))
                    }
                })
                .collect();
            let with = if others.is_empty() { "Nobody else yet".to_string() } else { others.join(", ") };
            (with, format!("conference {} ({})", conference_status_text(&cf.status), cf.status))
        }
    };
    let is_live = call.is_some_and(|c| c.is_live());
    let ended = call.is_some_and(|c| !c.is_live());
    let sid = mine.unwrap_or_else(|| "—".to_string());
    view! {
        <section class="panel sim-readouts" aria-label="Your call">
            <h2>"Your call"</h2>
            <p id="phone-status" class="status" role="status" aria-live="polite"
                class:live=is_live class:ended=ended>
                {status}
            </p>
            <dl class="sim-facts">
                <dt>"What you hear"</dt>
                <dd id="phone-hearing" aria-live="polite">{hearing}</dd>
                <dt>"In the conference"</dt>
                <dd id="phone-conference">
                    <span class="sim-who">{with}</span>
                    <span class="sim-muted">{conference_status}</span>
                </dd>
                <dt>"Call SID"</dt>
                <dd id="phone-call-sid"><code>{sid}</code></dd>
            </dl>
            <details class="sim-heard">
                <summary>"Heard so far"</summary>
                <ol id="phone-heard">
                    {heard.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}
                </ol>
            </details>
        </section>
    }
}
