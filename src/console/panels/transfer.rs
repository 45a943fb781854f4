//! A note for the target, a number outside, and the queue: the transfers that are not to a
//! colleague in the directory (whose rows have their own Consult and Transfer buttons). A
//! number is read as the center reads it before anything is sent: a typo is told here.

use leptos::prelude::*;

use super::offers::offered;
use crate::center::{CallAction, Target};
use crate::console::dispatch::Dispatch;
use crate::console::live::Live;
use crate::console::phone::{Console, Input, TransferRequest};
use crate::ids::E164;

pub fn panel(
    live: Live,
    console: RwSignal<Console>,
    dispatch: Dispatch,
    note: RwSignal<String>,
    number: RwSignal<String>,
) -> impl IntoView {
    let consult = offered(live, console, CallAction::Consult);
    let blind = offered(live, console, CallAction::Transfer);
    // The number typed, as a number to dial, or why it is not one (nothing while it is empty).
    let dialled = move || number.with(|n| (!n.trim().is_empty()).then(|| E164::parse(n).map_err(|e| e.0)));
    let send = move |action: CallAction, to: Target| {
        let note = note.get_untracked();
        dispatch.send(Input::TransferRequested(TransferRequest::to(action, to, Some(&note))));
    };
    let to_number = move |action: CallAction| {
        move |_| {
            if let Some(Ok(n)) = dialled() {
                send(action, Target::Phone(n));
            }
        }
    };
    let number_ok = move || matches!(dialled(), Some(Ok(_)));
    view! {
        <section id="transfer-panel" class="panel" aria-labelledby="transfer-title">
            <h2 id="transfer-title">"Transfer"</h2>
            <label for="transfer-note">"Note for the target"</label>
            <input id="transfer-note" type="text" maxlength="500" placeholder="What the caller needs"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
            <label for="transfer-number">"Phone number"</label>
            <input id="transfer-number" type="tel" placeholder="+14155550100" aria-describedby="transfer-number-error"
                prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/>
            <p id="transfer-number-error" class="form-error" role="alert">{move || dialled().and_then(Result::err)}</p>
            <div class="actions">
                <button id="consult-number-button" type="button" disabled=move || !consult() || !number_ok()
                    on:click=to_number(CallAction::Consult)>"Consult"</button>
                <button id="transfer-number-button" type="button" disabled=move || !blind() || !number_ok()
                    on:click=to_number(CallAction::Transfer)>"Transfer"</button>
                <button id="transfer-queue-button" type="button" disabled=move || !blind()
                    on:click=move |_| send(CallAction::Transfer, Target::Queue)>"Transfer to queue"</button>
            </div>
        </section>
    }
}
