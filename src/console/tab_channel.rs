//! The channel between tabs of the same agent (`BroadcastChannel`, same origin only): carries
//! [`TabSignal`]s, stamped with this tab's id. Closing it (drop) detaches the listener.

use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use super::phone::{TabId, TabSignal};
use crate::ids::AgentId;

pub struct TabChannel {
    channel: BroadcastChannel,
    me: TabId,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl TabChannel {
    /// Opens the agent's channel; `on_signal` gets what other tabs post to every tab or to this
    /// one (signals meant for another tab are dropped here). `None` where the browser has no
    /// `BroadcastChannel`: the tab then holds the phone as if alone.
    pub fn open(agent: &AgentId, on_signal: impl Fn(TabId, bool, TabSignal) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(&format!("warm-transfer.phone.{agent}")).ok()?;
        // Random per page load; ties between tabs are settled by which id sorts first.
        let me = TabId((js_sys::Math::random() * 9_007_199_254_740_991.0) as u64);
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let Some((from, signal)) = m.data().as_string().as_deref().and_then(TabSignal::decode) else { return };
            if signal.to().is_none_or(|to| to == me) && from != me {
                on_signal(from, from < me, signal);
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(TabChannel { channel, me, _listener: listener })
    }

    pub fn post(&self, signal: TabSignal) {
        let _ = self.channel.post_message(&JsValue::from_str(&signal.encode(self.me)));
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
