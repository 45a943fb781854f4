//! Sounds the console plays itself: keypad tones and the speaker test, on the output the agent
//! chose (Web Audio with `AudioContext.setSinkId`). The SDK plays its keypad tones on the
//! default output whatever the chosen speaker (twilio-voice.js's own users report it), so its
//! tones are silenced (see `device_options`) and these play instead.

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AudioContext;

/// A key's tone lasts 100 ms, keys follow each other every 150 ms, and a `w` pauses 500 ms.
const KEY_MS: f64 = 100.0;
const STEP_MS: f64 = 150.0;
const PAUSE_MS: f64 = 500.0;

thread_local! {
    /// One context for the page (browsers limit how many there are), and its output.
    static OUTPUT: RefCell<Option<(AudioContext, Option<String>)>> = const { RefCell::new(None) };
}

/// Plays keypad tones on `sink` (`None`: the default output): each key's pair of frequencies
/// (DTMF), `None` for a pause.
pub fn play_keys(keys: &[Option<(u16, u16)>], sink: Option<&str>) {
    let mut at = 0.0;
    let mut notes = Vec::new();
    for key in keys {
        match *key {
            Some((low, high)) => {
                notes.push((at, KEY_MS, [low, high]));
                at += STEP_MS;
            }
            None => at += PAUSE_MS,
        }
    }
    leptos::task::spawn_local(play(notes, sink.map(str::to_string)));
}

/// Plays one tone of `hz` for `ms` on `sink` (the speaker test).
pub fn play_test((hz, ms): (u16, u32), sink: Option<&str>) {
    leptos::task::spawn_local(play(vec![(0.0, ms as f64, [hz, hz])], sink.map(str::to_string)));
}

/// Each note: its start and length (ms from now) and two frequencies, mixed. A module of its
/// own (`--split`), fetched the first time a sound plays: most pages never play one.
#[leptos::lazy]
fn play(notes: Vec<(f64, f64, [u16; 2])>, sink: Option<String>) {
    let sink = sink.as_deref();
    let result = OUTPUT.with(|cell| -> Result<(), JsValue> {
        let mut cell = cell.borrow_mut();
        let (context, on) = match cell.as_mut() {
            Some(output) => output,
            None => cell.insert((AudioContext::new()?, None)),
        };
        if on.as_deref() != sink {
            route(context, sink);
            *on = sink.map(str::to_string);
        }
        // A context made before any click starts suspended; a keypad click is one.
        let _ = context.resume();
        let now = context.current_time();
        for &(start, length, frequencies) in &notes {
            let gain = context.create_gain()?;
            gain.gain().set_value(0.08);
            gain.connect_with_audio_node(&context.destination())?;
            for hz in frequencies {
                let oscillator = context.create_oscillator()?;
                oscillator.frequency().set_value(f32::from(hz));
                oscillator.connect_with_audio_node(&gain)?;
                oscillator.start_with_when(now + start / 1000.0)?;
                oscillator.stop_with_when(now + (start + length) / 1000.0)?;
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        web_sys::console::warn_1(&JsValue::from_str(&format!("could not play a tone: {e:?}")));
    }
}

/// `context.setSinkId(id)` where the browser has it (Chrome 110+); elsewhere the default output
/// is all there is. `""` is the default.
fn route(context: &AudioContext, sink: Option<&str>) {
    let Ok(set) = Reflect::get(context, &JsValue::from_str("setSinkId")) else { return };
    if let Some(set) = set.dyn_ref::<Function>() {
        if let Ok(promise) = set.call1(context, &JsValue::from_str(sink.unwrap_or(""))) {
            // A device gone meanwhile rejects: the tone then plays where it was, which is fine.
            let promise = js_sys::Promise::resolve(&promise);
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }
}
