//! My call: who, where it stands, everyone on it, the consult in progress, and the steps that
//! make sense now; mute, hold, and a keypad that opens when asked for (as softphones have it).

use leptos::prelude::*;

use super::offers::offered;
use crate::center::CallAction;
use crate::console::dispatch::Dispatch;
use crate::console::live::Live;
use crate::console::phone::{Console, Input, TransferRequest};
use crate::console::words;
use crate::ids::CallSid;

pub fn panel(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
    let call = move || live.with(|v| v.call.clone()).flatten();
    let step = move |action: CallAction| {
        let enabled = offered(live, console, action);
        (enabled, move |_| dispatch.send(Input::TransferRequested(TransferRequest::step(action))))
    };
    let (complete, on_complete) = step(CallAction::Complete);
    let (cancel, on_cancel) = step(CallAction::Cancel);
    let (three_way, on_three_way) = step(CallAction::ThreeWay);
    let (swap, on_swap) = step(CallAction::Swap);
    let (leave, on_leave) = step(CallAction::Leave);
    let (retry, on_retry) = step(CallAction::Retry);
    let (hold, on_hold) = step(CallAction::Hold);
    let (resume, on_resume) = step(CallAction::Resume);
    let (ask_help, on_ask_help) = step(CallAction::AskHelp);
    let (cancel_help, on_cancel_help) = step(CallAction::CancelHelp);
    let in_call = move || console.with(Console::can_hang_up);
    let muted = move || console.with(Console::muted);
    // The keypad is opened when needed and closes when the call it was opened for is over.
    let keypad_open = RwSignal::new(false);
    Effect::new(move |last: Option<Option<CallSid>>| {
        let now = live.with(|v| v.call.as_ref().map(|c| c.call.clone())).flatten();
        if matches!(&last, Some(Some(was)) if now.as_ref() != Some(was)) {
            keypad_open.set(false);
        }
        now
    });
    let key = move |k: &'static str| {
        view! {
            <button id=format!("key-{}", match k { "*" => "star", "#" => "hash", d => d }) type="button" class="key"
                disabled=move || !in_call() on:click=move |_| dispatch.send(Input::DigitsPressed(k.into()))>{k}</button>
        }
    };
    view! {
        <section id="my-call" class="panel" aria-labelledby="my-call-title">
            <h2 id="my-call-title">"My call"</h2>
            <p id="my-call-summary">
                {move || match call() {
                    Some(c) => words::call_summary(&c, live.now.get()),
                    None => live.with(|v| v.monitoring.as_ref().map(words::monitoring)).flatten().unwrap_or_else(|| "No call".into()),
                }}
            </p>
            // One line per participant (CSS keeps the line breaks).
            <p id="my-call-legs" class="legs">{move || call().map(|c| c.legs.iter().map(crate::words::leg).collect::<Vec<_>>().join("\n"))}</p>
            <p id="my-transfer" class="transfer-line">
                {move || live.with(|v| v.call.as_ref().and_then(|c| words::transfer(c, &v.me.id))).flatten()}
            </p>
            <p id="my-supervisor" class="supervisor-line" role="status">{move || call().and_then(|c| words::supervisor(&c))}</p>
            <p id="call-notice" class="form-error" role="alert">{move || call().and_then(|c| c.notice.map(|n| n.text))}</p>
            <div class="actions" role="group" aria-label="Transfer steps">
                <button id="complete-transfer-button" type="button" disabled=move || !complete() on:click=on_complete>"Complete transfer"</button>
                <button id="cancel-transfer-button" type="button" disabled=move || !cancel() on:click=on_cancel>"Cancel transfer"</button>
                <button id="three-way-button" type="button" disabled=move || !three_way() on:click=on_three_way>"Three-way"</button>
                <button id="swap-button" type="button" disabled=move || !swap() on:click=on_swap>"Swap"</button>
                <button id="leave-button" type="button" disabled=move || !leave() on:click=on_leave>"Leave"</button>
                <button id="retry-button" type="button" disabled=move || !retry() on:click=on_retry>"Retry"</button>
            </div>
            <div class="actions" role="group" aria-label="Phone">
                <button id="mute-button" type="button" aria-pressed=move || muted().to_string() disabled=move || !in_call()
                    on:click=move |_| dispatch.send(Input::MuteClicked)>{move || if muted() { "Unmute" } else { "Mute" }}</button>
                <button id="hold-button" type="button" disabled=move || !hold() on:click=on_hold>"Hold"</button>
                <button id="resume-button" type="button" disabled=move || !resume() on:click=on_resume>"Resume"</button>
                <button id="ask-help-button" type="button" hidden=cancel_help disabled=move || !ask_help() on:click=on_ask_help>
                    "Ask for help"
                </button>
                <button id="cancel-help-button" type="button" hidden=move || !cancel_help() on:click=on_cancel_help>
                    "Help requested · cancel"
                </button>
                <button id="keypad-button" type="button" aria-controls="keypad" aria-expanded=move || keypad_open.get().to_string()
                    disabled=move || !in_call() on:click=move |_| keypad_open.update(|open| *open = !*open)>
                    {move || if keypad_open.get() { "Hide keypad" } else { "Keypad" }}
                </button>
            </div>
            <div id="keypad" class="keypad" role="group" aria-label="Keypad" hidden=move || !(keypad_open.get() && in_call())>
                {["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"].map(key).collect_view()}
            </div>
        </section>
    }
}
