//! Is there a microphone the page may use? Asked when the console starts, so an agent learns
//! of a blocked or missing microphone before the first call rather than in the middle of it.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack, PermissionStatus};

/// What the browser says about the microphone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mic {
    /// Allowed, and there is one.
    Ready,
    /// The agent (or a policy) blocked it for this site.
    Denied,
    /// No microphone is plugged in.
    Missing,
    /// Another reason the browser gave (in use by another program, page not secure, …).
    Unusable(String),
}

/// Checks, and asks the agent for the microphone if the browser has never been told (the
/// browser's own prompt, at page load: where Flex asks too). Never throws.
pub async fn check() -> Mic {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return Mic::Unusable("this browser gives no microphone to this page (it must be opened over https)".into());
    };
    if permission().await.as_deref() == Some("denied") {
        return Mic::Denied;
    }
    // Devices are listed (without labels) even before permission: none at all is no microphone.
    if let Ok(listing) = devices.enumerate_devices() {
        if let Ok(list) = JsFuture::from(listing).await {
            let list = Array::from(&list);
            let kind = |d: JsValue| Reflect::get(&d, &JsValue::from_str("kind")).ok().and_then(|k| k.as_string());
            if !list.iter().any(|d| kind(d).as_deref() == Some("audioinput")) {
                return Mic::Missing;
            }
        }
    }
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let asked = match devices.get_user_media_with_constraints(&constraints) {
        Ok(promise) => JsFuture::from(promise).await,
        Err(e) => Err(e),
    };
    match asked {
        Ok(stream) => {
            // Only the answer was wanted: let the microphone go (the SDK opens its own).
            for track in stream.unchecked_into::<MediaStream>().get_tracks().iter() {
                track.unchecked_into::<MediaStreamTrack>().stop();
            }
            Mic::Ready
        }
        Err(e) => refusal(&e),
    }
}

/// Tells whoever follows the browser's devices (the SDK) to list them again: browsers give the
/// devices' labels only once the microphone is allowed, and fire nothing when it is.
pub fn devices_changed() {
    let devices = web_sys::window().and_then(|w| w.navigator().media_devices().ok());
    if let (Some(devices), Ok(event)) = (devices, web_sys::Event::new("devicechange")) {
        let _ = devices.dispatch_event(&event);
    }
}

/// The browser's `DOMException` as the console's words.
fn refusal(e: &JsValue) -> Mic {
    let field = |name: &str| Reflect::get(e, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()).unwrap_or_default();
    match field("name").as_str() {
        "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => Mic::Denied,
        "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => Mic::Missing,
        "NotReadableError" | "TrackStartError" => Mic::Unusable("another program is using it".into()),
        _ => Mic::Unusable(field("message")),
    }
}

/// `navigator.permissions.query({name: "microphone"})`'s state, where the browser answers it.
async fn permission() -> Option<String> {
    let status = status().await?;
    Reflect::get(&status, &JsValue::from_str("state")).ok()?.as_string()
}

async fn status() -> Option<PermissionStatus> {
    let permissions = web_sys::window()?.navigator().permissions().ok()?;
    let query = Object::new();
    Reflect::set(&query, &JsValue::from_str("name"), &JsValue::from_str("microphone")).ok()?;
    // Some browsers do not know the name "microphone" and throw: then there is no answer.
    let status = JsFuture::from(permissions.query(&query).ok()?).await.ok()?;
    Some(status.unchecked_into())
}

/// Calls `on_change` whenever the agent changes the site's microphone permission (so the
/// message goes away once they allow it). Dropping the handle stops it.
pub struct PermissionWatch {
    status: PermissionStatus,
    _listener: Closure<dyn FnMut()>,
}

impl PermissionWatch {
    pub async fn start(on_change: impl Fn() + 'static) -> Option<Self> {
        let status = status().await?;
        let listener = Closure::<dyn FnMut()>::new(on_change);
        status.set_onchange(Some(listener.as_ref().unchecked_ref()));
        Some(PermissionWatch { status, _listener: listener })
    }
}

impl Drop for PermissionWatch {
    fn drop(&mut self) {
        self.status.set_onchange(None);
    }
}
