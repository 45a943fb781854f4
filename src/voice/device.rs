//! Safe wrapper over the Voice SDK: typed events, owned listeners, `Result` errors.
//!
//! Ownership is the point: a `VoiceDevice` / `ActiveCall` owns its JS object and the
//! `Closure`s registered on it, and `Drop` detaches them with `off` before the closures are freed
//! (no `Closure::forget`, so no leak and no "closure invoked after being dropped" when the SDK
//! fires late). Dropping a `VoiceDevice` also destroys the JS Device: a registered device nobody
//! listens to would keep ringing the agent.
//!
//! Callbacks may run synchronously inside an SDK call. Do not hold a borrow of your own state
//! while calling into this module; `hang_up`, `reject` and dropping the device detach listeners
//! first, so they never call back.

use std::{fmt, future::Future, rc::Rc};

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::ffi;
use crate::ids::CallSid;

/// An SDK failure: Twilio's error code when it gave one, and its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VoiceError {
    pub code: Option<u32>,
    pub message: String,
}

impl VoiceError {
    fn new(message: impl Into<String>) -> Self {
        Self { code: None, message: message.into() }
    }

    /// Reads a thrown value: a TwilioError / Error (`code`, `message`), a string, or anything.
    fn from_js(err: JsValue) -> Self {
        if let Some(s) = err.as_string() {
            return Self::new(s);
        }
        // Reflect.get throws on primitives; `.ok()` covers that.
        let field = |name: &str| Reflect::get(&err, &JsValue::from_str(name)).ok();
        let code = field("code").and_then(|v| v.as_f64()).map(|n| n as u32);
        let message = field("message").and_then(|v| v.as_string()).unwrap_or_else(|| format!("{err:?}"));
        Self { code, message }
    }
}

type Listener = Closure<dyn FnMut(JsValue)>;

/// What the Device reports.
#[derive(Debug)]
pub enum DeviceEvent {
    Registered,
    /// Registering again (after `register()`, or by itself once its signalling connection is back).
    Registering,
    /// No longer registered: its signalling connection dropped (it reconnects and registers
    /// again by itself), or it was unregistered.
    Unregistered,
    Error {
        code: Option<u32>,
        message: String,
    },
    Incoming(IncomingCall),
    TokenWillExpire,
    Destroyed,
    /// `device.audio`'s `deviceChange`: read the lists again with [`VoiceDevice::audio_devices`].
    AudioDevicesChanged,
}

/// What a watched call reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    Accepted,
    Disconnected,
    Cancelled,
    Rejected,
    Error {
        code: Option<u32>,
        message: String,
    },
    /// `warning` / `warning-cleared` with the SDK's name of the quality problem.
    Warning(String),
    WarningCleared(String),
    /// Reconnecting its media (ICE) or, when Twilio gave the call a reconnect token, its
    /// signalling connection.
    Reconnecting,
    Reconnected,
    /// The SDK closed the call when its signalling connection dropped, without a `disconnect`
    /// event (its `transportClose`, with no way to reconnect the call).
    Closed,
}

/// `device.state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    Unregistered,
    Registering,
    Registered,
    Destroyed,
    /// A state this code does not know (a newer SDK).
    Other(String),
}

/// A `Twilio.Device` and the listeners this app put on it.
pub struct VoiceDevice {
    device: ffi::Device,
    listeners: Vec<(&'static str, Listener)>,
    /// On `device.audio`, detached on drop like the others.
    audio_listener: Option<Listener>,
}

impl VoiceDevice {
    /// Creates the device (not yet registered) and starts reporting its events to `on_event`.
    pub fn new(token: &str, on_event: Rc<dyn Fn(DeviceEvent)>) -> Result<Self, VoiceError> {
        // Say plainly what is wrong rather than "Twilio is not defined".
        let sdk = Reflect::get(&js_sys::global(), &JsValue::from_str("Twilio")).unwrap_or_default();
        if sdk.is_undefined() {
            return Err(VoiceError::new("the Twilio Voice SDK (twilio.min.js) is not loaded"));
        }
        let device = ffi::Device::new(token, &device_options()).map_err(VoiceError::from_js)?;
        let mut this = Self { device, listeners: Vec::new(), audio_listener: None };
        // On an early return `Drop` detaches what was attached and destroys the device.
        this.listen("registered", &on_event, |_| Some(DeviceEvent::Registered))?;
        this.listen("registering", &on_event, |_| Some(DeviceEvent::Registering))?;
        this.listen("unregistered", &on_event, |_| Some(DeviceEvent::Unregistered))?;
        this.listen("destroyed", &on_event, |_| Some(DeviceEvent::Destroyed))?;
        this.listen("tokenWillExpire", &on_event, |_| Some(DeviceEvent::TokenWillExpire))?;
        this.listen("error", &on_event, |err| {
            let VoiceError { code, message } = VoiceError::from_js(err);
            Some(DeviceEvent::Error { code, message })
        })?;
        this.listen("incoming", &on_event, |call| IncomingCall::from_js(call).map(DeviceEvent::Incoming))?;
        if let Some(audio) = this.device.audio() {
            let on_event = on_event.clone();
            let listener = Listener::new(move |_| on_event(DeviceEvent::AudioDevicesChanged));
            audio.on("deviceChange", listener.as_ref().unchecked_ref()).map_err(VoiceError::from_js)?;
            this.audio_listener = Some(listener);
        }
        Ok(this)
    }

    /// The microphones and speakers the SDK lists (empty until the browser has enumerated them).
    pub fn audio_devices(&self) -> (Vec<MediaDevice>, Vec<MediaDevice>) {
        let Some(audio) = self.device.audio() else { return (vec![], vec![]) };
        (devices_of(&audio.available_input_devices()), devices_of(&audio.available_output_devices()))
    }

    /// Uses this microphone or speaker (`None`: the default) for the call and the ones after;
    /// a speaker also carries the ring. Resolves once the SDK has switched.
    pub fn use_audio(&self, side: AudioSide, id: Option<&str>) -> impl Future<Output = Result<(), VoiceError>> + 'static {
        let started: Vec<Result<Promise, JsValue>> = match (self.device.audio(), side, id) {
            (None, ..) => vec![Err(JsValue::from_str("the SDK has no audio helper"))],
            (Some(a), AudioSide::Microphone, Some(id)) => vec![a.set_input_device(id)],
            (Some(a), AudioSide::Microphone, None) => vec![a.unset_input_device()],
            (Some(a), AudioSide::Speaker, id) => {
                let id = id.unwrap_or(DEFAULT_DEVICE);
                vec![a.speaker_devices().set(id), a.ringtone_devices().set(id)]
            }
        };
        async move {
            for promise in started {
                settle(promise).await?;
            }
            Ok(())
        }
    }
}

/// Which of the agent's audio devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioSide {
    Microphone,
    Speaker,
}

/// The browser's id of the device that follows the system's choice.
pub const DEFAULT_DEVICE: &str = "default";

/// A microphone or a speaker as the browser lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDevice {
    pub id: String,
    /// Empty until the page may use the microphone (browsers hide labels until then).
    pub label: String,
}

impl VoiceDevice {
    fn listen(
        &mut self,
        event: &'static str,
        on_event: &Rc<dyn Fn(DeviceEvent)>,
        map: fn(JsValue) -> Option<DeviceEvent>,
    ) -> Result<(), VoiceError> {
        let on_event = on_event.clone();
        let listener = Listener::new(move |arg: JsValue| {
            if let Some(event) = map(arg) {
                on_event(event);
            }
        });
        self.device.on(event, listener.as_ref().unchecked_ref()).map_err(VoiceError::from_js)?;
        self.listeners.push((event, listener));
        Ok(())
    }

    /// Starts registering; the returned future does not borrow `self`, so the device can sit
    /// in a `RefCell` / `StoredValue` without a borrow held across the await.
    pub fn register(&self) -> impl Future<Output = Result<(), VoiceError>> + 'static {
        settle(self.device.register())
    }

    pub fn unregister(&self) -> impl Future<Output = Result<(), VoiceError>> + 'static {
        settle(self.device.unregister())
    }

    pub fn update_token(&self, token: &str) -> Result<(), VoiceError> {
        self.device.update_token(token).map_err(VoiceError::from_js)
    }

    pub fn disconnect_all(&self) -> Result<(), VoiceError> {
        self.device.disconnect_all().map_err(VoiceError::from_js)
    }

    pub fn state(&self) -> DeviceState {
        match self.device.state().as_str() {
            "unregistered" => DeviceState::Unregistered,
            "registering" => DeviceState::Registering,
            "registered" => DeviceState::Registered,
            "destroyed" => DeviceState::Destroyed,
            other => DeviceState::Other(other.to_string()),
        }
    }

    /// Detaches the listeners and destroys the device (which also ends its calls).
    pub fn destroy(self) {
        drop(self)
    }
}

impl Drop for VoiceDevice {
    fn drop(&mut self) {
        // Detach first: destroy() emits `unregistered`/`destroyed`, which must not call back
        // into the console while it is busy dropping us.
        for (event, listener) in self.listeners.drain(..) {
            let _ = self.device.off(event, listener.as_ref().unchecked_ref());
        }
        if let (Some(audio), Some(listener)) = (self.device.audio(), self.audio_listener.take()) {
            let _ = audio.off("deviceChange", listener.as_ref().unchecked_ref());
        }
        let _ = self.device.destroy();
    }
}

impl fmt::Debug for VoiceDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VoiceDevice").field("state", &self.state()).finish()
    }
}

/// Options for `new Twilio.Device`.
fn device_options() -> JsValue {
    let options = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("logLevel", JsValue::from_str("error"));
    // Ask before the agent closes the tab mid-call.
    set("closeProtection", JsValue::TRUE);
    // The SDK plays keypad tones on the default output whatever the chosen speaker; the console
    // plays its own there (`voice::tone`), so the SDK's are silenced.
    let silent = Object::new();
    for key in ["dtmf0", "dtmf1", "dtmf2", "dtmf3", "dtmf4", "dtmf5", "dtmf6", "dtmf7", "dtmf8", "dtmf9", "dtmfs", "dtmfh"] {
        let _ = Reflect::set(&silent, &JsValue::from_str(key), &JsValue::from_str(SILENCE));
    }
    set("sounds", silent.into());
    // Opt into Twilio's reconnection of a live call over a dropped signalling connection (sent
    // as `reconnectTimeout` in `listen`; 30 s is the most Twilio allows): without it Twilio ends
    // the call when the socket drops, however short the drop. The SDK also retries the edge the
    // call is on for this long before falling back to another.
    set("maxCallSignalingTimeoutMs", JsValue::from_f64(30_000.0));
    // Without this the SDK silently ignores a call that arrives while busy and the caller rings
    // into nothing until Twilio times out; with it the console rejects it at once (RejectIncoming).
    set("allowIncomingWhileBusy", JsValue::TRUE);
    options.into()
}

/// 10 ms of silence: a WAV file (8 kHz, 8-bit mono) as a data URL.
const SILENCE: &str = "data:audio/wav;base64,UklGRnQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YVAAAACAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgA==";

/// The devices of one of the SDK's maps (`deviceId` → `MediaDeviceInfo`).
fn devices_of(map: &js_sys::Map) -> Vec<MediaDevice> {
    let mut devices = Vec::new();
    map.for_each(&mut |info, _id| {
        let field = |name: &str| Reflect::get(&info, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()).unwrap_or_default();
        devices.push(MediaDevice { id: field("deviceId"), label: field("label") });
    });
    devices
}

/// Awaits an SDK promise. Takes the already-started call so the future owns everything it
/// needs and borrows nothing.
async fn settle(started: Result<Promise, JsValue>) -> Result<(), VoiceError> {
    let promise = started.map_err(VoiceError::from_js)?;
    JsFuture::from(promise).await.map(drop).map_err(VoiceError::from_js)
}

/// A ringing call just reported by the Device. Either `watch` it (it becomes the agent's call)
/// or `reject` it. Dropping it does nothing to the call: it has no listeners yet.
pub struct IncomingCall {
    call: ffi::Call,
    call_sid: CallSid,
    from: String,
    to: String,
}

impl IncomingCall {
    /// `None` for a call without a usable CallSid: it is rejected here, since nothing could
    /// refer to it afterwards.
    fn from_js(value: JsValue) -> Option<Self> {
        let call: ffi::Call = value.unchecked_into();
        let params = call.parameters();
        let param = |name: &str| Reflect::get(&params, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()).unwrap_or_default();
        match CallSid::parse(&param("CallSid")) {
            Ok(call_sid) => Some(Self { call_sid, from: param("From"), to: param("To"), call }),
            Err(e) => {
                web_sys::console::warn_1(&JsValue::from_str(&format!("incoming call rejected: {e}")));
                let _ = call.reject();
                None
            }
        }
    }

    pub fn call_sid(&self) -> &CallSid {
        &self.call_sid
    }

    /// Twilio's `From` (the customer's number, or `client:…`).
    pub fn from(&self) -> &str {
        &self.from
    }

    pub fn to(&self) -> &str {
        &self.to
    }

    /// Makes this the agent's call, reporting its events to `on_event`.
    pub fn watch(self, on_event: Rc<dyn Fn(CallEvent)>) -> Result<ActiveCall, VoiceError> {
        let mut active = ActiveCall { call: self.call, call_sid: self.call_sid, from: self.from, listeners: Vec::new() };
        active.listen("accept", &on_event, |_| CallEvent::Accepted)?;
        active.listen("disconnect", &on_event, |_| CallEvent::Disconnected)?;
        active.listen("cancel", &on_event, |_| CallEvent::Cancelled)?;
        active.listen("reject", &on_event, |_| CallEvent::Rejected)?;
        active.listen("error", &on_event, |err| {
            let e = VoiceError::from_js(err);
            CallEvent::Error { code: e.code, message: e.message }
        })?;
        active.listen("warning", &on_event, |name| CallEvent::Warning(name.as_string().unwrap_or_default()))?;
        active.listen("warning-cleared", &on_event, |name| CallEvent::WarningCleared(name.as_string().unwrap_or_default()))?;
        active.listen("reconnecting", &on_event, |_| CallEvent::Reconnecting)?;
        active.listen("reconnected", &on_event, |_| CallEvent::Reconnected)?;
        active.watch_transport(&on_event)?;
        Ok(active)
    }

    pub fn reject(self) -> Result<(), VoiceError> {
        self.call.reject().map_err(VoiceError::from_js)
    }
}

impl fmt::Debug for IncomingCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IncomingCall").field("call_sid", &self.call_sid).field("from", &self.from).field("to", &self.to).finish()
    }
}

/// The agent's call and the listeners on it. Dropping it detaches the listeners but leaves
/// the call as it is; end it with `hang_up`.
pub struct ActiveCall {
    call: ffi::Call,
    call_sid: CallSid,
    from: String,
    listeners: Vec<(&'static str, Listener)>,
}

impl ActiveCall {
    fn listen(&mut self, event: &'static str, on_event: &Rc<dyn Fn(CallEvent)>, map: fn(JsValue) -> CallEvent) -> Result<(), VoiceError> {
        let on_event = on_event.clone();
        let listener = Listener::new(move |arg: JsValue| on_event(map(arg)));
        self.call.on(event, listener.as_ref().unchecked_ref()).map_err(VoiceError::from_js)?;
        self.listeners.push((event, listener));
        Ok(())
    }

    /// `transportClose`: the SDK's signalling socket dropped. A call Twilio gave a reconnect
    /// token to goes on (`reconnecting` follows); any other is closed by the SDK at once, with
    /// no `disconnect` event. The status is set just after the event is emitted, so it is read
    /// a moment later (a microtask, before any timer or network event can run).
    fn watch_transport(&mut self, on_event: &Rc<dyn Fn(CallEvent)>) -> Result<(), VoiceError> {
        let on_event = on_event.clone();
        let call: ffi::Call = JsValue::clone(&self.call).unchecked_into();
        let listener = Listener::new(move |_| {
            let (on_event, call) = (on_event.clone(), JsValue::clone(&call).unchecked_into::<ffi::Call>());
            wasm_bindgen_futures::spawn_local(async move {
                if call.status().is_ok_and(|s| s == "closed") {
                    on_event(CallEvent::Closed);
                }
            });
        });
        self.call.on("transportClose", listener.as_ref().unchecked_ref()).map_err(VoiceError::from_js)?;
        self.listeners.push(("transportClose", listener));
        Ok(())
    }

    fn detach(&mut self) {
        for (event, listener) in self.listeners.drain(..) {
            let _ = self.call.off(event, listener.as_ref().unchecked_ref());
        }
    }

    pub fn call_sid(&self) -> &CallSid {
        &self.call_sid
    }

    pub fn from(&self) -> &str {
        &self.from
    }

    /// Answers; `CallEvent::Accepted` follows once media is up.
    pub fn accept(&self) -> Result<(), VoiceError> {
        self.call.accept().map_err(VoiceError::from_js)
    }

    pub fn mute(&self, muted: bool) -> Result<(), VoiceError> {
        self.call.mute(muted).map_err(VoiceError::from_js)
    }

    pub fn is_muted(&self) -> Result<bool, VoiceError> {
        self.call.is_muted().map_err(VoiceError::from_js)
    }

    /// Plays DTMF digits on the call (for phone menus when calling out).
    pub fn send_digits(&self, digits: &str) -> Result<(), VoiceError> {
        self.call.send_digits(digits).map_err(VoiceError::from_js)
    }

    /// The SDK's status string (`pending`, `connecting`, `open`, `reconnecting`, `closed`, …).
    pub fn status(&self) -> Result<String, VoiceError> {
        self.call.status().map_err(VoiceError::from_js)
    }

    /// Ends this agent's leg: `reject()` while still ringing (the SDK's `disconnect()` does not
    /// end a pending incoming call), `disconnect()` otherwise. Harmless on a call already over.
    /// Listeners are detached first, so no `CallEvent` follows.
    pub fn hang_up(mut self) -> Result<(), VoiceError> {
        self.detach();
        let pending = self.call.status().map(|s| s == "pending").unwrap_or(false);
        let ended = if pending { self.call.reject() } else { self.call.disconnect() };
        ended.map_err(VoiceError::from_js)
    }
}

impl Drop for ActiveCall {
    fn drop(&mut self) {
        self.detach();
    }
}

impl fmt::Debug for ActiveCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActiveCall").field("call_sid", &self.call_sid).field("from", &self.from).finish()
    }
}
