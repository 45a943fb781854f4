//! The floor's live feed (browser only): an `EventSource` on `/api/floor/stream` whose every
//! message is the whole floor. Owned like the console's stream: dropping it detaches its
//! listeners and closes the source. The browser reconnects by itself after a network error; when
//! the server refuses (signed out, no longer a supervisor) the floor says so.

use leptos::prelude::Set;
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

use crate::center::FloorView;

/// Where the server pushes the floor.
pub const STREAM_URL: &str = "/api/floor/stream";

type Listener = Closure<dyn FnMut(web_sys::Event)>;

pub struct FloorStream {
    source: EventSource,
    listeners: Vec<(&'static str, Listener)>,
}

impl FloorStream {
    pub fn open(
        view: leptos::prelude::RwSignal<Option<FloorView>>,
        link: leptos::prelude::RwSignal<&'static str>,
    ) -> Result<Self, JsValue> {
        let source = EventSource::new(STREAM_URL)?;
        let mut this = FloorStream { source, listeners: Vec::new() };
        this.listen("open", move |_| link.set(""))?;
        this.listen("message", move |event| {
            let Some(data) = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else { return };
            match super::wire::floor_view::<JsValue>(&data) {
                Ok(v) => {
                    view.set(Some(v));
                    link.set("");
                }
                Err(e) => web_sys::console::warn_2(&JsValue::from_str("floor stream: unreadable floor; wrong:"), &JsValue::from_str(e)),
            }
        })?;
        let source = this.source.clone();
        this.listen("error", move |_| {
            link.set(if source.ready_state() == EventSource::CLOSED {
                "The floor is closed to this session (signed out, or not a supervisor): reload the page."
            } else {
                "Connection to the server lost: reconnecting…"
            });
        })?;
        Ok(this)
    }

    fn listen(&mut self, name: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Result<(), JsValue> {
        let closure: Listener = Closure::new(f);
        self.source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())?;
        self.listeners.push((name, closure));
        Ok(())
    }
}

impl Drop for FloorStream {
    fn drop(&mut self) {
        for (name, closure) in &self.listeners {
            let _ = self.source.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        self.source.close();
    }
}
