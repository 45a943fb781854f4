//! The console's live feed (browser only): an `EventSource` on `/api/stream` whose every message
//! is the signed-in agent's whole [`ConsoleView`], a snapshot first and a new one on each change;
//! the directory (every agent's card, the same for every console) comes as `directory` events
//! whenever it changes, and is put into the views here.
//!
//! Ownership as in `voice::device`: a [`ConsoleStream`] owns its `EventSource` and the closures
//! listening on it, and dropping it detaches them before they are freed and closes the source
//! (no `Closure::forget`, so no leak and no "closure invoked after being dropped").
//!
//! The browser's `EventSource` reconnects by itself after a network error (the server sends a
//! fresh snapshot on each connection); it gives up only when the server answers with an error
//! (401 once the session is gone). That is reported to `on_closed`, whose owner decides what next.

use std::cell::RefCell;
use std::rc::Rc;

use crate::center::{AgentCard, ConsoleView};
use leptos::prelude::{Set, Update};
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

use super::live::{Link, Live};

/// Where the server pushes the console's view.
pub const STREAM_URL: &str = "/api/stream";

type Listener = Closure<dyn FnMut(web_sys::Event)>;

pub struct ConsoleStream {
    source: EventSource,
    listeners: Vec<(&'static str, Listener)>,
}

impl ConsoleStream {
    /// Opens the stream, feeding `live`. `on_closed` runs when the browser gave up on it for good.
    pub fn open(live: Live, on_closed: impl Fn() + 'static) -> Result<Self, JsValue> {
        let source = EventSource::new(STREAM_URL)?;
        let mut this = ConsoleStream { source, listeners: Vec::new() };
        this.listen("open", move |_| live.link.set(Link::Up))?;
        // Kept apart from the views, and put into each one without this agent's own card.
        let directory: Rc<RefCell<Vec<AgentCard>>> = Rc::default();
        let others = |directory: &[AgentCard], view: &ConsoleView| directory.iter().filter(|a| a.id != view.me.id).cloned().collect();
        let dir = directory.clone();
        this.listen("directory", move |event| {
            let Some(data) = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else { return };
            match super::wire::directory::<JsValue>(&data) {
                Ok(cards) => {
                    *dir.borrow_mut() = cards;
                    live.view.update(|v| {
                        if let Some(v) = v {
                            v.agents = others(&dir.borrow(), v);
                        }
                    });
                }
                Err(e) => {
                    web_sys::console::warn_2(&JsValue::from_str("console stream: unreadable directory; wrong:"), &JsValue::from_str(e))
                }
            }
        })?;
        this.listen("message", move |event| {
            let Some(data) = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else { return };
            match super::wire::console_view::<JsValue>(&data) {
                Ok(mut view) => {
                    view.agents = others(&directory.borrow(), &view);
                    // The server's clock against ours, so durations tick from the server's `since`s.
                    live.skew.set(view.now - js_sys::Date::now() as i64);
                    live.now.set(view.now);
                    live.view.set(Some(view));
                    live.link.set(Link::Up);
                }
                Err(e) => web_sys::console::warn_2(&JsValue::from_str("console stream: unreadable view; wrong:"), &JsValue::from_str(e)),
            }
        })?;
        let source = this.source.clone();
        this.listen("error", move |_| {
            live.link.set(Link::Down);
            if source.ready_state() == EventSource::CLOSED {
                on_closed();
            }
        })?;
        Ok(this)
    }

    fn listen(&mut self, event: &'static str, on_event: impl FnMut(web_sys::Event) + 'static) -> Result<(), JsValue> {
        let listener = Listener::new(on_event);
        self.source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())?;
        self.listeners.push((event, listener));
        Ok(())
    }
}

impl Drop for ConsoleStream {
    fn drop(&mut self) {
        for (event, listener) in self.listeners.drain(..) {
            let _ = self.source.remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        self.source.close();
    }
}
