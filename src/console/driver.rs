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

use super::api::{get_token, set_presence, transfer};
use super::state::{Console, Effect, Event};
use super::view::server_message;
use crate::center::Wanted;
use crate::ids::CallSid;
use crate::voice::device::{ActiveCall, CallEvent, DeviceEvent, IncomingCall, VoiceDevice};

pub struct Driver {
    console: RwSignal<Console>,
    device: RefCell<Option<VoiceDevice>>,
    call: RefCell<Option<ActiveCall>>,
    /// Calls the device reported and the machine has not yet decided on.
    incoming: RefCell<HashMap<CallSid, IncomingCall>>,
    me: Weak<Driver>,
}

impl Driver {
    /// Starts driving `console`, first carrying out `initial` (the effects of the event that
    /// created it, [`Console::started`]) once the page is live.
    pub fn start(console: RwSignal<Console>, initial: Vec<Effect>) -> Rc<dyn Fn(Event)> {
        let driver = Rc::new_cyclic(|me| Driver {
            console,
            device: RefCell::new(None),
            call: RefCell::new(None),
            incoming: RefCell::new(HashMap::new()),
            me: me.clone(),
        });
        let me = driver.me.clone();
        spawn_local(async move {
            if let Some(driver) = me.upgrade() {
                for effect in initial {
                    driver.run(effect);
                }
            }
        });
        // The page owns the driver for as long as it lives; listeners hold only weak references.
        let owner = driver.clone();
        Rc::new(move |event| owner.dispatch(event))
    }

    fn dispatch(&self, event: Event) {
        // The status line says it in words; the code is kept here, for whoever debugs it.
        if let Event::DeviceError { code, message } | Event::CallError { code, message } = &event {
            leptos::logging::warn!("voice error {}: {message}", code.map(|c| c.to_string()).unwrap_or_else(|| "-".into()));
        }
        let me = self.me.clone();
        spawn_local(async move {
            if let Some(driver) = me.upgrade() {
                driver.handle(event);
            }
        });
    }

    fn handle(&self, event: Event) {
        let mut effects = Vec::new();
        self.console.update(|c| effects = c.apply(event));
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(&self, effect: Effect) {
        match effect {
            Effect::FetchToken(agent) => {
                let me = self.me.clone();
                spawn_local(async move {
                    let event = match get_token(agent.to_string()).await {
                        Ok(t) => Event::TokenReceived(t.token),
                        Err(e) => Event::TokenFailed(server_message(e)),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Effect::RefreshToken(agent) => {
                let me = self.me.clone();
                spawn_local(async move {
                    let event = match get_token(agent.to_string()).await {
                        Ok(t) => Event::TokenRefreshed(t.token),
                        Err(e) => Event::TokenRefreshFailed(server_message(e)),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Effect::CreateDevice { token } => self.create_device(&token),
            Effect::UpdateToken(token) => {
                if let Some(Err(e)) = self.device.borrow().as_ref().map(|d| d.update_token(&token)) {
                    self.dispatch(Event::DeviceError { code: e.code, message: e.message });
                }
            }
            Effect::DestroyDevice => {
                let device = self.device.borrow_mut().take();
                if let Some(device) = device {
                    device.destroy();
                }
            }
            Effect::WatchCall { call_sid } => {
                let Some(call) = self.incoming.borrow_mut().remove(&call_sid) else { return };
                let me = self.me.clone();
                let on_event: Rc<dyn Fn(CallEvent)> = Rc::new(move |ev: CallEvent| {
                    if let Some(d) = me.upgrade() {
                        d.dispatch(ev.console_event());
                    }
                });
                match call.watch(on_event) {
                    Ok(active) => *self.call.borrow_mut() = Some(active),
                    Err(e) => self.dispatch(Event::CallError { code: e.code, message: e.message }),
                }
            }
            Effect::RejectIncoming { call_sid } => {
                let call = self.incoming.borrow_mut().remove(&call_sid);
                if let Some(call) = call {
                    let _ = call.reject();
                }
            }
            Effect::AcceptCall => {
                if let Some(Err(e)) = self.call.borrow().as_ref().map(|c| c.accept()) {
                    self.dispatch(Event::CallError { code: e.code, message: e.message });
                }
            }
            Effect::DisconnectCall => {
                let call = self.call.borrow_mut().take();
                if let Some(call) = call {
                    let _ = call.hang_up();
                }
            }
            Effect::MuteCall(muted) => {
                let result = self.call.borrow().as_ref().map(|call| call.mute(muted));
                if let Some(Err(e)) = result {
                    self.dispatch(Event::CallError { code: e.code, message: e.message });
                    return;
                }
                // The server shows it on the call's legs; a failure to tell it changes no audio.
                let action = if muted { "mute" } else { "unmute" };
                spawn_local(async move {
                    if let Err(e) = transfer(action.into(), None, None).await {
                        leptos::logging::warn!("could not tell the server about mute: {e}");
                    }
                });
            }
            Effect::SendDigits(digits) => {
                let result = self.call.borrow().as_ref().map(|call| call.send_digits(&digits));
                if let Some(Err(e)) = result {
                    self.dispatch(Event::CallError { code: e.code, message: e.message });
                }
            }
            Effect::CallTransferServer(request) => {
                let me = self.me.clone();
                spawn_local(async move {
                    // The call as it now stands arrives with the stream's next view.
                    let event = match transfer(request.action, request.to, request.note).await {
                        Ok(_) => Event::TransferDone,
                        Err(e) => Event::TransferFailed(server_message(e)),
                    };
                    if let Some(d) = me.upgrade() {
                        d.handle(event);
                    }
                });
            }
            Effect::SetPresence(wanted) => {
                let me = self.me.clone();
                let status = match wanted {
                    Wanted::Available => "available",
                    Wanted::Away => "away",
                    Wanted::Offline => "offline",
                };
                spawn_local(async move {
                    // The new presence itself arrives with the stream's next view.
                    let event = match set_presence(status.to_string()).await {
                        Ok(_) => Event::PresenceSet,
                        Err(e) => Event::PresenceRefused(server_message(e)),
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
            let event = ev.console_event();
            if let DeviceEvent::Incoming(call) = ev {
                d.incoming.borrow_mut().insert(call.call_sid().clone(), call);
            }
            d.dispatch(event);
        });
        match VoiceDevice::new(token, on_event) {
            Ok(device) => {
                let registering = device.register();
                *self.device.borrow_mut() = Some(device);
                let me = self.me.clone();
                spawn_local(async move {
                    if let Err(e) = registering.await {
                        if let Some(d) = me.upgrade() {
                            d.handle(Event::DeviceError { code: e.code, message: e.message });
                        }
                    }
                });
            }
            Err(e) => self.dispatch(Event::DeviceError { code: e.code, message: e.message }),
        }
    }
}
