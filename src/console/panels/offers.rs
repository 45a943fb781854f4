//! Whether a step on my call makes sense now: the server's view offers it, and this console is
//! not already asking for another one.

use leptos::prelude::*;

use crate::center::CallAction;
use crate::console::live::Live;
use crate::console::phone::Console;

pub fn offered(live: Live, console: RwSignal<Console>, action: CallAction) -> impl Fn() -> bool + Copy + Send + Sync {
    move || {
        console.with(Console::can_transfer) && live.with(|v| v.call.as_ref().is_some_and(|c| c.actions.contains(&action))).unwrap_or(false)
    }
}
