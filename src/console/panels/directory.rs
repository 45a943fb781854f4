//! The other agents, each by their name with their live presence, and Consult and Transfer to
//! them while my call offers those and they are free.

use leptos::prelude::*;

use super::offers::offered;
use crate::center::{AgentCard, CallAction, Millis, Presence, Target};
use crate::console::dispatch::Dispatch;
use crate::console::live::Live;
use crate::console::phone::{Console, Input, TransferRequest};
use crate::console::words;
use crate::ids::AgentId;

pub fn panel(live: Live, console: RwSignal<Console>, dispatch: Dispatch, note: RwSignal<String>) -> impl IntoView {
    // A new view redraws the rows in place (same elements, so the focus on a button stays);
    // between views each row follows its agent's clock by itself.
    let ids = move || live.with(|v| v.agents.iter().map(|a| a.id.clone()).collect::<Vec<_>>()).unwrap_or_default();
    view! {
        <section id="directory" class="panel" aria-labelledby="directory-title">
            <h2 id="directory-title">"Agents"</h2>
            <ul class="directory">
                {move || ids().into_iter().map(|id| row(id, live, console, dispatch, note)).collect_view()}
            </ul>
        </section>
    }
}

/// What `f` makes of `id`'s card, if the view has it.
fn with_card<T>(live: Live, id: &AgentId, f: impl FnOnce(&AgentCard) -> T) -> Option<T> {
    live.view.with(|v| v.as_ref().and_then(|v| v.agents.iter().find(|a| &a.id == id).map(f)))
}

fn row(id: AgentId, live: Live, console: RwSignal<Console>, dispatch: Dispatch, note: RwSignal<String>) -> impl IntoView {
    // What this agent's card says (Copy: every attribute below holds one).
    let card = StoredValue::new(id.clone());
    let read =
        move |f: fn(&AgentCard, Millis) -> String| card.with_value(|id| with_card(live, id, |a| f(a, live.now.get()))).unwrap_or_default();
    // Only an available colleague can take a transfer; the server says whether my call offers
    // one now (and refuses it if they became busy meanwhile).
    let free = move || card.with_value(|id| with_card(live, id, |a| a.presence == Presence::Available)).unwrap_or(false);
    let consult = offered(live, console, CallAction::Consult);
    let blind = offered(live, console, CallAction::Transfer);
    let name = move || read(|a, _| a.name.clone());
    let ask = move |action: CallAction| {
        move |_| {
            let note = note.get_untracked();
            let to = Target::Agent(card.get_value());
            dispatch.send(Input::TransferRequested(TransferRequest::to(action, to, Some(&note))))
        }
    };
    view! {
        <li id=format!("agent-{id}") class="agent-row">
            <span class="agent-name">{name}</span>
            <span class=move || format!("agent-presence presence {}", read(|a, _| words::presence_class(&a.presence).into()))>
                {move || read(|a, now| crate::words::presence(&a.presence, a.since, now))}
            </span>
            <button id=format!("consult-{id}-button") type="button" aria-label=move || format!("Consult {}, the caller on hold", name())
                disabled=move || !(consult() && free()) on:click=ask(CallAction::Consult)>
                "Consult"
            </button>
            <button id=format!("transfer-{id}-button") type="button" aria-label=move || format!("Transfer the call to {}", name())
                disabled=move || !(blind() && free()) on:click=ask(CallAction::Transfer)>
                "Transfer"
            </button>
        </li>
    }
}
