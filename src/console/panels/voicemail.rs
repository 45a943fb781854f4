//! A voicemail offered to me, or taken: who left it and how long it is, its transcription, the
//! message itself (played through the app once taken: `/api/voicemail/{call}/audio`), and the
//! steps that make sense now: take it or decline it; once taken, call the caller back (one
//! click: my phone rings first, then theirs) or mark it done. Hidden when my
//! call is not a voicemail. The steps are the console's own endpoint (`/api/transfer`), so the
//! stream shows what changed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::console::transfer;
use crate::center::{CallAction, CallCard, Phase};
use crate::console::live::Live;

pub fn panel(live: Live) -> impl IntoView {
    let card = move || live.with(|v| v.call.clone().filter(|c| c.voicemail.is_some())).flatten();
    let status = RwSignal::new(String::new());
    let can = move |a: CallAction| live.with(|v| v.call.as_ref().is_some_and(|c| c.actions.contains(&a))).unwrap_or(false);
    let step = move |a: CallAction| {
        move |_| {
            status.set(String::new());
            spawn_local(async move {
                if let Err(e) = transfer(a, None, None).await {
                    status.set(e.to_string());
                }
            });
        }
    };
    let transcript = move || card().and_then(|c| c.voicemail.and_then(|v| v.transcript)).unwrap_or_else(|| "(no transcription yet)".into());
    // The player appears once the voicemail is mine (taken), with the message's own address.
    let player = move || {
        card().filter(|c: &CallCard| c.phase == Phase::Connected).map(|c| {
            let src = format!("/api/voicemail/{}/audio", c.call);
            view! { <audio id="voicemail-audio" controls=true preload="auto" src=src></audio> }
        })
    };
    view! {
        <section id="voicemail-panel" class="panel voicemail" aria-labelledby="voicemail-title" hidden=move || card().is_none()>
            <h2 id="voicemail-title">"Voicemail"</h2>
            <p id="voicemail-transcript" class="transcript">{transcript}</p>
            {player}
            <p id="voicemail-status" class="form-error" role="alert">{move || status.get()}</p>
            <div class="actions" role="group" aria-label="Voicemail">
                <button id="take-voicemail-button" type="button" class="primary" hidden=move || !can(CallAction::TakeVoicemail)
                    on:click=step(CallAction::TakeVoicemail)>"Take voicemail"</button>
                <button id="decline-voicemail-button" type="button" hidden=move || !can(CallAction::DeclineVoicemail)
                    on:click=step(CallAction::DeclineVoicemail)>"Decline"</button>
                <button id="call-back-button" type="button" class="primary" hidden=move || !can(CallAction::CallBack)
                    on:click=step(CallAction::CallBack)>"Call back"</button>
                <button id="voicemail-done-button" type="button" hidden=move || !can(CallAction::VoicemailDone)
                    on:click=step(CallAction::VoicemailDone)>"Done"</button>
            </div>
        </section>
    }
}
