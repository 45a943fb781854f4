//! Raw bindings to `@twilio/voice-sdk` v2 (`dist/twilio.min.js`, global `Twilio`).
//!
//! Every `extern` declaration for the SDK lives here so an SDK upgrade is reviewed in one file.
//! `catch` is on everything that calls into the SDK and can throw (a missing `Twilio` global, a
//! malformed token, a call in the wrong state), so a JS exception becomes an `Err` instead of a
//! wasm trap. Plain property getters do not throw and carry no `catch`.
//! v2 API only: no `Device.setup`, no `ready`/`offline` events (that was SDK v1).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Twilio.Device`: registers for incoming calls; an EventEmitter.
    #[wasm_bindgen(js_namespace = Twilio, js_name = Device)]
    pub type Device;

    /// `new Twilio.Device(token, options)`; throws if the SDK is not loaded or the token is bad.
    #[wasm_bindgen(constructor, catch, js_namespace = Twilio, js_class = "Device")]
    pub fn new(token: &str, options: &JsValue) -> Result<Device, JsValue>;

    /// Resolves once registered; rejects with a TwilioError.
    #[wasm_bindgen(method, catch)]
    pub fn register(this: &Device) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn unregister(this: &Device) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = updateToken)]
    pub fn update_token(this: &Device, token: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = disconnectAll)]
    pub fn disconnect_all(this: &Device) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn destroy(this: &Device) -> Result<(), JsValue>;

    /// `'unregistered' | 'registering' | 'registered' | 'destroyed'`.
    #[wasm_bindgen(method, getter)]
    pub fn state(this: &Device) -> String;

    #[wasm_bindgen(method, catch, js_name = on)]
    pub fn on(this: &Device, event: &str, listener: &Function) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = off)]
    pub fn off(this: &Device, event: &str, listener: &Function) -> Result<(), JsValue>;

    /// `device.audio`: the SDK's AudioHelper (devices listed, chosen, and their changes); an
    /// EventEmitter. Present once the Device is constructed.
    #[wasm_bindgen(method, getter)]
    pub fn audio(this: &Device) -> Option<AudioHelper>;

    pub type AudioHelper;

    /// `Map<deviceId, MediaDeviceInfo>`, filled once the browser has enumerated its devices.
    #[wasm_bindgen(method, getter, js_name = availableInputDevices)]
    pub fn available_input_devices(this: &AudioHelper) -> js_sys::Map;

    #[wasm_bindgen(method, getter, js_name = availableOutputDevices)]
    pub fn available_output_devices(this: &AudioHelper) -> js_sys::Map;

    /// The microphone for this and future calls; rejects for a device it does not list.
    #[wasm_bindgen(method, catch, js_name = setInputDevice)]
    pub fn set_input_device(this: &AudioHelper, id: &str) -> Result<Promise, JsValue>;

    /// Back to the browser's default microphone.
    #[wasm_bindgen(method, catch, js_name = unsetInputDevice)]
    pub fn unset_input_device(this: &AudioHelper) -> Result<Promise, JsValue>;

    /// Where the call's audio plays.
    #[wasm_bindgen(method, getter, js_name = speakerDevices)]
    pub fn speaker_devices(this: &AudioHelper) -> OutputDevices;

    /// Where the incoming-call ring plays.
    #[wasm_bindgen(method, getter, js_name = ringtoneDevices)]
    pub fn ringtone_devices(this: &AudioHelper) -> OutputDevices;

    /// `deviceChange` (a device plugged in or out; its argument lists the lost active ones).
    #[wasm_bindgen(method, catch, js_name = on)]
    pub fn on(this: &AudioHelper, event: &str, listener: &Function) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = off)]
    pub fn off(this: &AudioHelper, event: &str, listener: &Function) -> Result<(), JsValue>;

    /// An `OutputDeviceCollection` (speaker or ringtone outputs).
    pub type OutputDevices;

    /// Rejects for an id the SDK does not list, or where the browser cannot choose outputs.
    #[wasm_bindgen(method, catch)]
    pub fn set(this: &OutputDevices, id: &str) -> Result<Promise, JsValue>;

    /// `Twilio.Call`: one call leg; an EventEmitter. Only ever received from the Device
    /// (`incoming`), never constructed here.
    #[wasm_bindgen(js_namespace = Twilio, js_name = Call)]
    pub type Call;

    #[wasm_bindgen(method, catch)]
    pub fn accept(this: &Call) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn reject(this: &Call) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn disconnect(this: &Call) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn mute(this: &Call, muted: bool) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = isMuted)]
    pub fn is_muted(this: &Call) -> Result<bool, JsValue>;

    /// DTMF on the live call (`0-9`, `*`, `#`, `w` for a pause); throws on other characters.
    #[wasm_bindgen(method, catch, js_name = sendDigits)]
    pub fn send_digits(this: &Call, digits: &str) -> Result<(), JsValue>;

    /// `'pending' | 'connecting' | 'ringing' | 'open' | 'reconnecting' | 'closed'`.
    #[wasm_bindgen(method, catch)]
    pub fn status(this: &Call) -> Result<String, JsValue>;

    /// Twilio's call parameters: `{ CallSid, From, To, … }`.
    #[wasm_bindgen(method, getter)]
    pub fn parameters(this: &Call) -> JsValue;

    #[wasm_bindgen(method, catch, js_name = on)]
    pub fn on(this: &Call, event: &str, listener: &Function) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = off)]
    pub fn off(this: &Call, event: &str, listener: &Function) -> Result<(), JsValue>;
}
