//! The floor's opening hours (browser only): whether we are open and until when, the weekly
//! schedule as text to edit, and the "closed now" switch with its reason. Read from the server
//! after each change and every half minute (open or closed changes with the time); a change
//! refused because another supervisor changed the hours meanwhile says so, and shows theirs.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::hours::{close_now, opening_hours, reopen, save_hours, HoursCard};
use crate::error::ApiError;

pub fn panel() -> impl IntoView {
    let card = RwSignal::new(None::<HoursCard>);
    let text = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    // Loads the hours; `edit`: the text box takes the stored schedule too (not while typing).
    let load = move |edit: bool| {
        spawn_local(async move {
            match opening_hours().await {
                Ok(c) => {
                    if edit {
                        text.set(c.schedule.clone());
                    }
                    card.set(Some(c));
                }
                Err(e) => status.set(format!("Could not read the opening hours: {e}")),
            }
        })
    };
    load(true);
    let every = leptos::prelude::set_interval_with_handle(move || load(false), std::time::Duration::from_secs(30)).ok();
    on_cleanup(move || {
        if let Some(h) = every {
            h.clear();
        }
    });
    let version = move || card.get_untracked().map(|c| c.version).unwrap_or_default();
    // Every change answers the hours as they now are; refused, the hours are read again so the
    // supervisor sees what changed meanwhile.
    let done = move |result: Result<HoursCard, ApiError>, what: &'static str| match result {
        Ok(c) => {
            status.set(format!("{what}."));
            text.set(c.schedule.clone());
            card.set(Some(c));
        }
        Err(e) => {
            status.set(format!("Not saved: {e}"));
            load(matches!(e, ApiError::NotNow(_)));
        }
    };
    let save = move |_| {
        let (t, v) = (text.get_untracked(), version());
        spawn_local(async move { done(save_hours(t, v).await, "Opening hours saved") });
    };
    let close = move |_| {
        let (r, v) = (reason.get_untracked(), version());
        spawn_local(async move { done(close_now(r, v).await, "Closed now") });
    };
    let open = move |_| {
        let v = version();
        spawn_local(async move { done(reopen(v).await, "Reopened") });
    };
    view! {
        <section id="hours-panel" class="panel floor" aria-labelledby="hours-title">
            <h2 id="hours-title">"Opening hours"</h2>
            <p id="hours-now" class=move || if card.get().is_some_and(|c| c.open) { "hours-open" } else { "hours-closed" }>
                {move || card.get().map(|c| c.words).unwrap_or_default()}
            </p>
            <p id="hours-changed" class="hint">
                {move || card.get().and_then(|c| c.changed).map(|(by, _)| format!("Last changed by {by}")).unwrap_or_default()}
            </p>
            <p id="hours-status" role="alert">{move || status.get()}</p>
            <div class="hours-switch" role="group" aria-label="Closed now">
                {move || match card.get().and_then(|c| c.closed_by) {
                    Some((why, by)) => view! {
                        <span id="hours-closed-by">{if why.is_empty() { format!("Closed by {by}") } else { format!("Closed by {by}: {why}") }}</span>
                        <button id="reopen-button" type="button" class="primary" on:click=open>"Reopen"</button>
                    }.into_any(),
                    None => view! {
                        <input id="close-reason" type="text" placeholder="why (callers hear it)" aria-label="Why we close"
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                        <button id="close-now-button" type="button" class="danger" on:click=close>"Close now"</button>
                    }.into_any(),
                }}
            </div>
            <label for="hours-schedule">"Weekly schedule (empty: open around the clock)"</label>
            <textarea id="hours-schedule" rows="9" spellcheck="false"
                placeholder="time zone Europe/London\nmon-fri 09:00-17:30\nsat 10:00-13:00\nholiday 2026-12-25 Christmas Day"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button id="save-hours-button" type="button" class="primary" on:click=save>"Save opening hours"</button>
        </section>
    }
}
