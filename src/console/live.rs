//! What the server last said to this console, and how well the console hears it: the state the
//! live feed (`stream`, browser only) writes and the panels read.

use leptos::prelude::*;

use crate::center::{ConsoleView, Millis};

/// The state of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Not yet heard from the server.
    #[default]
    Connecting,
    Up,
    /// Lost; the browser is reconnecting. What is shown is the last view received.
    Down,
}

/// What the server last said, and how well the console hears it.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    pub view: RwSignal<Option<ConsoleView>>,
    pub link: RwSignal<Link>,
    /// The server's clock minus the browser's (ms), measured when the last view arrived.
    pub skew: RwSignal<i64>,
    /// The server's clock as the browser reckons it, moved on every second: durations are
    /// counted against it from the view's `since`s.
    pub now: RwSignal<Millis>,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    pub fn new() -> Self {
        Live { view: RwSignal::new(None), link: RwSignal::new(Link::Connecting), skew: RwSignal::new(0), now: RwSignal::new(0) }
    }

    pub fn with<T>(&self, f: impl FnOnce(&ConsoleView) -> T) -> Option<T> {
        self.view.with(|v| v.as_ref().map(f))
    }
}
