//! Runs the console state machine in the browser: feeds it events and carries out its effects
//! on the Voice SDK (through `voice::device`) and the server functions.
//!
//! Every event is handled on a fresh task, never inside the SDK callback that produced it: an
//! effect may drop the very device or call whose listener is running.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::phone::{AudioDevice, AudioTask, Kind};
use super::phone::{Console, Input, Mic, Task};
use super::tab_channel::TabChannel;
use crate::api::console::{get_token, set_presence, transfer};
use crate::center::{CallAction, TransferTo};
use crate::ids::CallSid;
use crate::voice::device::{ActiveCall, AudioSide, CallEvent, DeviceEvent, IncomingCall, MediaDevice, VoiceDevice};
use crate::voice::{microphone, tone};

pub struct Driver {
    console: RwSignal<Console>,
    device: RefCell<Option<VoiceDevice>>,
    call: RefCell<Option<ActiveCall>>,
    /// Calls the device reported and the machine has not yet decided on.
    incoming: RefCell<HashMap<CallSid, IncomingCall>>,
    /// The agent's other tabs (see `console::tab`).
    tabs: RefCell<Option<TabChannel>>,
    /// Re-checks the microphone when the agent changes the site's permission.
    mic_watch: RefCell<Option<microphone::PermissionWatch>>,
    me: Weak<Driver>,
}

impl Driver {
    /// Starts driving `console`, first carrying out `initial` (the effects of the event that
    /// created it, [`Console::started`]) once the page is live.
    pub fn start(console: RwSignal<Console>, initial: Vec<Task>) -> Rc<dyn Fn(Input)> {
        let driver = Rc::new_cyclic(|me| Driver {
            console,
            device: RefCell::new(None),
            call: RefCell::new(None),
            incoming: RefCell::new(HashMap::new()),
            tabs: RefCell::new(None),
            mic_watch: RefCell::new(None),
            me: me.clone(),
        });
        if let Some(agent) = console.with_untracked(|c| c.me().cloned()) {
            let me = driver.me.clone();
            *driver.tabs.borrow_mut() = TabChannel::open(&agent, move |from, earlier, signal| {
                if let Some(d) = me.upgrade() {
                    d.dispatch(Input::TabHeard { from, earlier, signal });
                }
            });
        }
        // Handled at once, not on a later task: the page is going away.
        let me = driver.me.clone();
        let closing = window_event_listener(leptos::ev::pagehide, move |_| {
            if let Some(d) = me.upgrade() {
                d.handle(Input::PageClosing);
            }
        });
        std::mem::forget(closing); // for the page's lifetime, like the driver itself
        let me = driver.me.clone();
        spawn_local(async move {
            if let Some(driver) = me.upgrade() {
                driver.handle(Input::AudioRestored { microphone: stored(Kind::Microphone), speaker: stored(Kind::Speaker) });
                for effect in initial {
                    driver.run(effect);
                }
            }
        });
        // The page owns the driver for as long as it lives; listeners hold only weak references.
        let owner = driver.clone();
        Rc::new(move |event| owner.dispatch(event))
    }

    fn dispatch(&self, event: Input) {
        // The status line says it in words; the code is kept here, for whoever debugs it.
        if let Input::DeviceError { code, message } | Input::CallError { code, message } = &event {
            leptos::logging::warn!("voice error {}: {message}", code.map(|c| c.to_string()).unwrap_or_else(|| "-".into()));
        }
        let me = self.me.clone();
        spawn_local(async move {
            if let Some(driver) = me.upgrade() {
                driver.handle(event);
            }
        });
    }

    fn handle(&self, event: Input) {
        let mut effects = Vec::new();
        self.console.update(|c| effects = c.apply(event));
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(&self, effect: Task) {
        match effect {
            Task::FetchToken(agent) => {
                let me = self.me.clone();
                spawn_local(async move {
                    let event = match get_token(agent).await {
                        Ok(t) => Input::TokenReceived(t.token),
                        Err(e) => Input::TokenFailed(e.to_string()),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Task::RefreshToken(agent) => {
                let me = self.me.clone();
                spawn_local(async move {
                    let event = match get_token(agent).await {
                        Ok(t) => Input::TokenRefreshed(t.token),
                        Err(e) => Input::TokenRefreshFailed(e.to_string()),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Task::CreateDevice { token } => self.create_device(&token),
            Task::UpdateToken(token) => {
                if let Some(Err(e)) = self.device.borrow().as_ref().map(|d| d.update_token(&token)) {
                    self.dispatch(Input::DeviceError { code: e.code, message: e.message });
                }
            }
            Task::DestroyDevice => {
                let device = self.device.borrow_mut().take();
                if let Some(device) = device {
                    device.destroy();
                }
            }
            Task::WatchCall { call_sid } => {
                let Some(call) = self.incoming.borrow_mut().remove(&call_sid) else { return };
                let me = self.me.clone();
                let on_event: Rc<dyn Fn(CallEvent)> = Rc::new(move |ev: CallEvent| {
                    if let Some(d) = me.upgrade() {
                        d.dispatch(call_event(ev));
                    }
                });
                match call.watch(on_event) {
                    Ok(active) => *self.call.borrow_mut() = Some(active),
                    Err(e) => self.dispatch(Input::CallError { code: e.code, message: e.message }),
                }
            }
            Task::RejectIncoming { call_sid } => {
                let call = self.incoming.borrow_mut().remove(&call_sid);
                if let Some(call) = call {
                    let _ = call.reject();
                }
            }
            Task::AcceptCall => {
                if let Some(Err(e)) = self.call.borrow().as_ref().map(|c| c.accept()) {
                    self.dispatch(Input::CallError { code: e.code, message: e.message });
                }
            }
            Task::DisconnectCall => {
                let call = self.call.borrow_mut().take();
                if let Some(call) = call {
                    let _ = call.hang_up();
                }
            }
            Task::MuteCall(muted) => {
                let result = self.call.borrow().as_ref().map(|call| call.mute(muted));
                if let Some(Err(e)) = result {
                    self.dispatch(Input::CallError { code: e.code, message: e.message });
                    return;
                }
                // The server shows it on the call's legs; a failure to tell it changes no audio.
                let action = if muted { CallAction::Mute } else { CallAction::Unmute };
                spawn_local(async move {
                    if let Err(e) = transfer(action, None, None).await {
                        leptos::logging::warn!("could not tell the server about mute: {e}");
                    }
                });
            }
            Task::SendDigits(digits) => {
                let result = self.call.borrow().as_ref().map(|call| call.send_digits(&digits));
                if let Some(Err(e)) = result {
                    self.dispatch(Input::CallError { code: e.code, message: e.message });
                }
            }
            Task::CallTransferServer(request) => {
                let me = self.me.clone();
                spawn_local(async move {
                    // The call as it now stands arrives with the stream's next view.
                    let event = match transfer(request.action, request.to.map(TransferTo), request.note).await {
                        Ok(_) => Input::TransferDone,
                        Err(e) => Input::TransferFailed(e.to_string()),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Task::CheckMicrophone => {
                let me = self.me.clone();
                spawn_local(async move {
                    let mic = match microphone::check().await {
                        microphone::Mic::Ready => Mic::Ready,
                        microphone::Mic::Denied => Mic::Denied,
                        microphone::Mic::Missing => Mic::Missing,
                        microphone::Mic::Unusable(why) => Mic::Unusable(why),
                    };
                    let Some(d) = me.upgrade() else { return };
                    if mic == Mic::Ready && d.device.borrow().is_some() {
                        // Allowed after the SDK listed its devices: the labels come now.
                        microphone::devices_changed();
                    }
                    d.handle(Input::MicChecked(mic));
                    if d.mic_watch.borrow().is_none() {
                        let again = d.me.clone();
                        let watch = microphone::PermissionWatch::start(move || {
                            if let Some(d) = again.upgrade() {
                                d.dispatch(Input::CheckMicClicked);
                            }
                        })
                        .await;
                        *d.mic_watch.borrow_mut() = watch;
                    }
                });
            }
            Task::PostTab(signal) => {
                if let Some(tabs) = self.tabs.borrow().as_ref() {
                    tabs.post(signal);
                }
            }
            Task::StartReconnectTimer { ms, seq } => {
                let me = self.me.clone();
                set_timeout(
                    move || {
                        if let Some(d) = me.upgrade() {
                            d.handle(Input::ReconnectTimerFired(seq));
                        }
                    },
                    std::time::Duration::from_millis(ms.into()),
                );
            }
            Task::StartTabTimer { ms, seq } => {
                let me = self.me.clone();
                set_timeout(
                    move || {
                        if let Some(d) = me.upgrade() {
                            d.handle(Input::TabTimerFired(seq));
                        }
                    },
                    std::time::Duration::from_millis(ms.into()),
                );
            }
            Task::Audio(AudioTask::Use { kind, id }) => {
                let side = match kind {
                    Kind::Microphone => AudioSide::Microphone,
                    Kind::Speaker => AudioSide::Speaker,
                };
                let Some(switching) = self.device.borrow().as_ref().map(|d| d.use_audio(side, id.as_deref())) else { return };
                let me = self.me.clone();
                spawn_local(async move {
                    if let Err(e) = switching.await {
                        if let Some(d) = me.upgrade() {
                            d.handle(Input::AudioRefused { kind, message: e.message });
                        }
                    }
                });
            }
            Task::Audio(AudioTask::Save { kind, chosen }) => {
                if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                    let _ = match chosen {
                        Some(device) => storage.set_item(&storage_key(kind), &device.stored()),
                        None => storage.remove_item(&storage_key(kind)),
                    };
                }
            }
            Task::PlayTones { digits, sink } => {
                let keys: Vec<_> = digits.chars().map(super::phone::dtmf).collect();
                tone::play_keys(&keys, sink.as_deref())
            }
            Task::PlayTestTone { sink } => tone::play_test(super::phone::TEST_TONE, sink.as_deref()),
            Task::SetPresence(wanted) => {
                let me = self.me.clone();
                spawn_local(async move {
                    // The new presence itself arrives with the stream's next view.
                    let event = match set_presence(wanted).await {
                        Ok(_) => Input::PresenceSet,
                        Err(e) => Input::PresenceRefused(e.to_string()),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
        }
    }

    fn create_device(&self, token: &str) {
        let me = self.me.clone();
        let on_event: Rc<dyn Fn(DeviceEvent)> = Rc::new(move |ev: DeviceEvent| {
            let Some(d) = me.upgrade() else { return };
            let Some(event) = device_event(&ev) else {
                d.list_audio();
                return;
            };
            if let DeviceEvent::Incoming(call) = ev {
                d.incoming.borrow_mut().insert(call.call_sid().clone(), call);
            }
            d.dispatch(event);
        });
        match VoiceDevice::new(token, on_event) {
            Ok(device) => {
                let registering = device.register();
                *self.device.borrow_mut() = Some(device);
                self.list_audio();
                let me = self.me.clone();
                spawn_local(async move {
                    if let Err(e) = registering.await {
                        if let Some(d) = me.upgrade() {
                            d.handle(Input::DeviceError { code: e.code, message: e.message });
                        }
                    }
                });
            }
            Err(e) => self.dispatch(Input::DeviceError { code: e.code, message: e.message }),
        }
    }

    /// Tells the machine the devices the SDK lists now. Nothing while it lists none: the
    /// browser has not enumerated them yet (its `deviceChange` follows when it has).
    fn list_audio(&self) {
        let Ok(device) = self.device.try_borrow() else { return };
        let Some((microphones, speakers)) = device.as_ref().map(VoiceDevice::audio_devices) else { return };
        let listed = |devices: Vec<MediaDevice>| devices.into_iter().map(|d| AudioDevice::new(d.id, d.label)).collect::<Vec<_>>();
        let (microphones, speakers) = (listed(microphones), listed(speakers));
        if !microphones.is_empty() || !speakers.is_empty() {
            self.dispatch(Input::AudioListed { microphones, speakers });
        }
    }
}

/// The console's reading of what the Device reports; `None` for a change of audio devices, whose
/// lists the driver reads from the device.
fn device_event(ev: &DeviceEvent) -> Option<Input> {
    Some(match ev {
        DeviceEvent::Registered => Input::Registered,
        DeviceEvent::Registering => Input::Registering,
        DeviceEvent::Unregistered => Input::Unregistered,
        DeviceEvent::Destroyed => Input::Destroyed,
        DeviceEvent::Error { code, message } => Input::DeviceError { code: *code, message: message.clone() },
        DeviceEvent::Incoming(call) => Input::Incoming { call_sid: call.call_sid().clone(), from: call.from().to_string() },
        DeviceEvent::TokenWillExpire => Input::TokenWillExpire,
        DeviceEvent::AudioDevicesChanged => return None,
    })
}

/// The console's reading of what a watched call reports.
fn call_event(ev: CallEvent) -> Input {
    match ev {
        CallEvent::Accepted => Input::Accepted,
        CallEvent::Disconnected => Input::Disconnected,
        CallEvent::Cancelled => Input::Cancelled,
        CallEvent::Rejected => Input::Rejected,
        CallEvent::Error { code, message } => Input::CallError { code, message },
        CallEvent::Warning(name) => Input::QualityWarning(name),
        CallEvent::WarningCleared(name) => Input::QualityCleared(name),
        CallEvent::Reconnecting => Input::Reconnecting,
        CallEvent::Reconnected => Input::Reconnected,
        CallEvent::Closed => Input::CallClosed,
    }
}

/// Where the agent's choice of device is kept between visits (this browser only).
fn storage_key(kind: Kind) -> String {
    format!("warm-transfer.{}", kind.as_str())
}

fn stored(kind: Kind) -> Option<AudioDevice> {
    let storage = web_sys::window()?.local_storage().ok()??;
    AudioDevice::from_stored(&storage.get_item(&storage_key(kind)).ok()??)
}
