//! The `/phone` page's controls beyond dialling: a call ringing on the page (the app calling the
//! customer back), the keypad, and the customer's voice while a `<Gather>` or `<Record>` listens.
//!
//! Element ids (stable, for tests): `#incoming-call` (with `#incoming-from`), `#answer-incoming`,
//! `#decline-incoming`; `#phone-keypad` with `#key-0`…`#key-9`, `#key-star`, `#key-hash`;
//! `#gathering` (what a Gather waits for), `#say-text`, `#say-button`; `#recording`,
//! `#record-text`, `#stop-recording`.
//!
//! The voice is typed text. While a Record listens, typing in `#record-text` tells the simulator
//! the customer is speaking (so its silence timeout waits); "Stop recording" sends the text, then
//! the Record's finish key.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::simulator::{sim_phone_answer, sim_phone_decline, sim_phone_digits, sim_phone_say, IncomingCallDto, SimListeningDto};

/// Calls ringing on this page; answering one makes it the page's call.
#[component]
pub(super) fn IncomingCall(
    incoming: RwSignal<Vec<IncomingCallDto>>,
    my_call: RwSignal<Option<String>>,
    my_call_live: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let act = move |answer: bool, sid: String| {
        busy.set(true);
        spawn_local(async move {
            let result = if answer { sim_phone_answer(sid.clone()).await } else { sim_phone_decline(sid.clone()).await };
            busy.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    incoming.update(|list| list.retain(|c| c.call_sid != sid));
                    if answer {
                        my_call.set(Some(sid));
                        my_call_live.set(true);
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    // Shown while something rings here and the phone is free (a busy phone still shows it: the
    // customer may pick up a second call after hanging up the first).
    let first = move || incoming.with(|list| list.first().cloned());
    move || {
        first().map(|call| {
            let (answer_sid, decline_sid) = (call.call_sid.clone(), call.call_sid.clone());
            view! {
                <section id="incoming-call" class="panel sim-incoming" aria-label="Incoming call" data-sid=call.call_sid.clone()>
                    <h2>"Incoming call"</h2>
                    <p class="status live" role="status">"From " <strong id="incoming-from">{call.from.clone()}</strong></p>
                    <div class="buttons">
                        <button id="answer-incoming" type="button" class="primary"
                            disabled=move || busy.get() || my_call_live.get()
                            on:click=move |_| act(true, answer_sid.clone())>
                            "Answer"
                        </button>
                        <button id="decline-incoming" type="button" class="danger" disabled=move || busy.get()
                            on:click=move |_| act(false, decline_sid.clone())>
                            "Decline"
                        </button>
                    </div>
                </section>
            }
        })
    }
}

/// The keypad and the voice controls of the page's live call.
#[component]
pub(super) fn CallControls(
    my_call: RwSignal<Option<String>>,
    in_call: Memo<bool>,
    listening: RwSignal<Option<SimListeningDto>>,
    record_text: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let say_text = RwSignal::new(String::new());
    // What the controls depend on, without the keys or words so far: the inputs are not rebuilt
    // (and do not lose focus) while the customer types.
    let mode = Memo::new(move |_| listening.with(|l| l.as_ref().map(|l| (l.kind.clone(), l.speech, l.finish_on_key.clone()))));
    let report = move |result: Result<(), crate::error::ApiError>| match result {
        Ok(()) => error.set(None),
        Err(e) => error.set(Some(e.to_string())),
    };
    let press = move |key: &'static str| {
        if let Some(sid) = my_call.get_untracked() {
            spawn_local(async move { report(sim_phone_digits(sid, key.to_string()).await) });
        }
    };
    let say = move |_| {
        let text = say_text.get_untracked().trim().to_string();
        if let (Some(sid), false) = (my_call.get_untracked(), text.is_empty()) {
            say_text.set(String::new());
            spawn_local(async move { report(sim_phone_say(sid, text).await) });
        }
    };
    // Typing is speaking: the Record's silence timeout waits (one request in flight at most).
    let speaking = RwSignal::new(false);
    let on_record_input = move |_| {
        if let (Some(sid), false) = (my_call.get_untracked(), speaking.get_untracked()) {
            speaking.set(true);
            spawn_local(async move {
                let _ = sim_phone_say(sid, String::new()).await;
                speaking.set(false);
            });
        }
    };
    let stop = move |key: String| {
        let text = record_text.get_untracked().trim().to_string();
        let Some(sid) = my_call.get_untracked() else { return };
        record_text.set(String::new());
        spawn_local(async move {
            if !text.is_empty() {
                if let Err(e) = sim_phone_say(sid.clone(), text).await {
                    return report(Err(e));
                }
            }
            if !key.is_empty() {
                report(sim_phone_digits(sid, key).await);
            }
        });
    };
    let keys: [(&'static str, &'static str); 12] = [
        ("1", "key-1"),
        ("2", "key-2"),
        ("3", "key-3"),
        ("4", "key-4"),
        ("5", "key-5"),
        ("6", "key-6"),
        ("7", "key-7"),
        ("8", "key-8"),
        ("9", "key-9"),
        ("*", "key-star"),
        ("0", "key-0"),
        ("#", "key-hash"),
    ];
    let voice = move || match mode.get() {
        Some((kind, speech, finish)) if kind == "gather" => {
            let waits = if speech { "Waiting for your keys or words" } else { "Waiting for your keys" };
            let finish = if finish.is_empty() { String::new() } else { format!(" (end with {finish})") };
            view! {
                <p id="gathering" class="status live" role="status">{waits} {finish}</p>
                {speech.then(|| view! {
                    <form class="sim-say" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); say(()); }>
                        <label for="say-text">"Say"</label>
                        <input id="say-text" type="text" autocomplete="off" placeholder="sales please" bind:value=say_text/>
                        <button id="say-button" type="submit">"Say"</button>
                    </form>
                })}
            }
            .into_any()
        }
        Some((_, _, finish)) => {
            // The first finish key ends it, as the caller would press it.
            let key = if finish.contains('#') { "#".to_string() } else { finish.chars().next().map(String::from).unwrap_or_default() };
            let label = if key.is_empty() { "Stop recording".to_string() } else { format!("Stop recording ({key})") };
            view! {
                <p id="recording" class="status live" role="status">"Recording… say your message"</p>
                <label for="record-text">"Your message"</label>
                <textarea id="record-text" rows="3" placeholder="Hello, please call me back about…"
                    bind:value=record_text on:input=on_record_input></textarea>
                <button id="stop-recording" type="button" class="primary" on:click=move |_| stop(key.clone())>{label}</button>
            }
            .into_any()
        }
        None => ().into_any(),
    };
    move || {
        in_call.get().then(|| {
            view! {
                <section class="panel sim-controls" aria-label="Keypad">
                    <h2>"Keypad"</h2>
                    <div id="phone-keypad" class="sim-keypad">
                        {keys.into_iter().map(|(key, id)| view! {
                            <button id=id type="button" data-key=key on:click=move |_| press(key)>{key}</button>
                        }).collect_view()}
                    </div>
                    {voice}
                </section>
            }
        })
    }
}
