//! The agent's audio devices and the sounds the console plays itself.

use super::given::*;

// --- audio devices and local sounds ------------------------------------------------------------

#[test]
fn the_keypad_plays_its_tones_on_the_speaker_in_use() {
    let mut c = in_call(a1());
    c.apply(E::AudioListed {
        microphones: vec![],
        speakers: vec![AudioDevice::new("default", "Default"), AudioDevice::new("hs", "Headset")],
    });
    let fx = c.apply(E::AudioChosen { kind: Kind::Speaker, id: "hs".into() });
    assert_eq!(
        fx,
        vec![
            F::Audio(AudioTask::Save { kind: Kind::Speaker, chosen: Some(AudioDevice::new("hs", "Headset")) }),
            F::Audio(AudioTask::Use { kind: Kind::Speaker, id: Some("hs".into()) })
        ]
    );
    assert_eq!(
        c.apply(E::DigitsPressed("1#".into())),
        vec![F::SendDigits("1#".into()), F::PlayTones { digits: "1#".into(), sink: Some("hs".into()) }]
    );
    assert_eq!(c.apply(E::TestSpeakerClicked), vec![F::PlayTestTone { sink: Some("hs".into()) }]);
}

#[test]
fn a_kept_choice_is_used_by_every_new_phone_device() {
    let headset = AudioDevice::new("hs", "Headset");
    let mut c = Console::started(a1()).0;
    c.apply(E::AudioRestored { microphone: Some(headset.clone()), speaker: None });
    c.apply(E::MicChecked(Mic::Ready));
    c.apply(E::TabTimerFired(1));
    c.apply(E::TokenReceived("tok".into()));
    let listed = E::AudioListed { microphones: vec![AudioDevice::new("default", "Default"), headset.clone()], speakers: vec![] };
    assert_eq!(c.apply(listed.clone()), vec![F::Audio(AudioTask::Use { kind: Kind::Microphone, id: Some("hs".into()) })]);
    // The phone is lost and reconnected: the new device is told again.
    c.apply(E::Registered);
    c.apply(E::Destroyed);
    c.apply(E::ReconnectClicked);
    c.apply(E::TokenReceived("tok2".into()));
    assert_eq!(c.apply(listed), vec![F::Audio(AudioTask::Use { kind: Kind::Microphone, id: Some("hs".into()) })]);
    c.apply(E::AudioRefused { kind: Kind::Microphone, message: "Device not found: hs".into() });
    assert_eq!(c.audio().microphone.selected(), "default");
}
