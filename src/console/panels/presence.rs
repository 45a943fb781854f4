//! My presence, and the buttons that change it: offered as the server's view says, and only
//! while this browser can take what they ask for (no "Available" without a phone to ring).

use leptos::prelude::*;

use crate::center::{PresenceAction, Wanted};
use crate::console::dispatch::Dispatch;
use crate::console::live::Live;
use crate::console::phone::{Console, Input};
use crate::console::words;

pub fn panel(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
    let me = move || live.with(|v| v.me.clone());
    let offered = move |action: PresenceAction| {
        move || {
            let (pending, phone) = console.with(|c| (c.presence_pending(), c.phone_ready()));
            // Being available with no phone to ring would only turn into a missed call.
            let needs_phone = action.wanted() == Wanted::Available;
            !pending && (phone || !needs_phone) && live.with(|v| v.presence_actions.contains(&action)).unwrap_or(false)
        }
    };
    let ask = move |action: PresenceAction| move |_| dispatch.send(Input::PresenceRequested(action.wanted()));
    view! {
        <section id="presence-panel" class="panel" aria-labelledby="presence-title">
            <h2 id="presence-title">"My presence"</h2>
            <p id="presence" class=move || format!("presence {}", me().map(|m| words::presence_class(&m.presence)).unwrap_or("unknown"))>
                {move || me().map(|m| crate::words::presence(&m.presence, m.since, live.now.get())).unwrap_or_else(|| "…".into())}
            </p>
            <div class="buttons">
                <button id="available-button" type="button" class="primary"
                    disabled=move || !offered(PresenceAction::Available)() on:click=ask(PresenceAction::Available)>
                    "Available"
                </button>
                <button id="away-button" type="button" disabled=move || !offered(PresenceAction::Away)() on:click=ask(PresenceAction::Away)>
                    "Away"
                </button>
                <button id="end-wrap-up-button" type="button"
                    disabled=move || !offered(PresenceAction::EndWrapUp)() on:click=ask(PresenceAction::EndWrapUp)>
                    "End wrap-up"
                </button>
            </div>
            <p id="presence-error" class="form-error" role="alert">{move || console.with(|c| c.presence_error().map(str::to_owned))}</p>
            // Why the agent cannot be available, and what to do about it. (Drawn here, with the
            // panels, rather than in the phone's section: what the server renders and the browser
            // hydrates costs the first download more than what the browser draws.)
            <div id="microphone-problem" role="alert" hidden=move || console.with(|c| c.mic_problem().is_none())>
                <p id="microphone-status" class="form-error">
                    {move || console.with(Console::mic_problem).map(|p| format!("Microphone: {p}"))}
                </p>
                <button id="check-microphone-button" type="button" on:click=move |_| dispatch.send(Input::CheckMicClicked)>"Check again"</button>
            </div>
            <button id="take-over-button" type="button" class="primary" hidden=move || !console.with(Console::can_take_over)
                on:click=move |_| dispatch.send(Input::TakeOverClicked)>
                "Use the phone here"
            </button>
        </section>
    }
}
