//! Microphone and speaker, each chosen from what the browser lists under its own label, a
//! speaker test, and what changed (a headset unplugged or back).

use leptos::prelude::*;

use crate::console::dispatch::Dispatch;
use crate::console::phone::{self as audio, AudioDevice, Kind};
use crate::console::phone::{Console, Input};

pub fn panel(console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
    let select = move |kind: Kind, label: &'static str| {
        let on_change = move |ev: leptos::ev::Event| dispatch.send(Input::AudioChosen { kind, id: event_target_value(&ev) });
        let id = format!("{}-select", kind.as_str());
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id disabled=move || console.with(|c| !c.audio().listed) on:change=on_change>
                    {move || console.with(|c| {
                        let side = c.audio().side(kind);
                        let mut options: Vec<(String, String)> = side.available.iter().map(|d| (d.id.clone(), d.name().to_string())).collect();
                        // Some browsers list no "default" entry: following the system is always offered.
                        if !side.available.iter().any(AudioDevice::is_default) {
                            options.insert(0, (audio::DEFAULT.into(), "System default".into()));
                        }
                        let selected = side.selected().to_string();
                        options.into_iter().map(|(id, name)| {
                            let on = id == selected;
                            view! { <option value=id selected=on>{name}</option> }
                        }).collect_view()
                    })}
                </select>
            </div>
        }
    };
    view! {
        <section id="audio-panel" class="panel" aria-labelledby="audio-title">
            <h2 id="audio-title">"Audio"</h2>
            {select(Kind::Microphone, "Microphone")}
            {select(Kind::Speaker, "Speaker")}
            <div class="buttons">
                <button id="test-speaker-button" type="button" on:click=move |_| dispatch.send(Input::TestSpeakerClicked)>"Test speaker"</button>
            </div>
            <p id="audio-note" role="status">{move || console.with(|c| c.audio().note())}</p>
        </section>
    }
}
