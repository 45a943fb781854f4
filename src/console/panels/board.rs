//! The panels in their two columns, and what they share: the note typed for a consult and the
//! number typed for a transfer, both forgotten once the call they were typed during is over.

use leptos::prelude::*;

use super::{audio, directory, my_call, presence, queue, recent, transfer, voicemail};
use crate::console::dispatch::Dispatch;
use crate::console::live::Live;
use crate::console::phone::Console;
use crate::ids::CallSid;

pub fn all(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
    // The note typed for a consult, shared by the transfer panel and the directory's rows,
    // and the number typed there.
    let note = RwSignal::new(String::new());
    let number = RwSignal::new(String::new());
    // What was typed for one call is not carried over to the next: both are cleared once
    // the call they were typed during is over (not when a call arrives: typing may start first).
    Effect::new(move |last: Option<Option<CallSid>>| {
        let now = live.with(|v| v.call.as_ref().map(|c| c.call.clone())).flatten();
        if matches!(&last, Some(Some(was)) if now.as_ref() != Some(was)) {
            note.set(String::new());
            number.set(String::new());
        }
        now
    });
    view! {
        <div class="console-column">
            {presence::panel(live, console, dispatch)}
            {my_call::panel(live, console, dispatch)}
            {voicemail::panel(live)}
            {transfer::panel(live, console, dispatch, note, number)}
            {audio::panel(console, dispatch)}
        </div>
        <div class="console-column">
            {queue::panel(live)}
            {directory::panel(live, console, dispatch, note)}
            {recent::panel(live)}
        </div>
    }
}
