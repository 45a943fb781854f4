//! The agent's choice of microphone and speaker, as plain rules: no web types, tested natively.
//!
//! Why rules of our own rather than the SDK's: the SDK falls back to the default device when the
//! chosen one is unplugged, but it never goes back to it when it is plugged in again, forgets
//! the choice between page loads, and says nothing to the agent. Here the agent's *choice* (kept
//! in the browser's storage) is apart from the device *in use*: whenever the browser's list
//! changes, the choice is used if it is there, and the default (with a note saying so) if not.

/// Which side of the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Microphone,
    Speaker,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Microphone => "microphone",
            Kind::Speaker => "speaker",
        }
    }
}

/// One device the browser lists (`MediaDeviceInfo`: its `deviceId` and `label`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDevice {
    pub id: String,
    pub label: String,
}

impl AudioDevice {
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        AudioDevice { id: id.into(), label: label.into() }
    }

    /// The browser's own "default" entry: following it means following the system's choice.
    pub fn is_default(&self) -> bool {
        self.id.is_empty() || self.id == DEFAULT
    }

    /// What the agent reads; the browser gives no label before the microphone is allowed.
    pub fn name(&self) -> &str {
        if self.label.is_empty() {
            &self.id
        } else {
            &self.label
        }
    }

    /// As kept in the browser's storage: `id`, a line break, `label`.
    pub fn stored(&self) -> String {
        format!("{}\n{}", self.id, self.label)
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        let (id, label) = s.split_once('\n').unwrap_or((s, ""));
        (!id.is_empty()).then(|| AudioDevice::new(id, label))
    }
}

/// The `deviceId` browsers give the system's default device.
pub const DEFAULT: &str = "default";

/// One side: what the browser lists, what the agent chose, and what is in use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Side {
    pub available: Vec<AudioDevice>,
    /// The agent's choice; `None` follows the system's default.
    pub chosen: Option<AudioDevice>,
    /// The device in use (asked of the SDK); `None` is the default.
    pub using: Option<String>,
    /// The last change on this side worth telling the agent.
    pub note: Option<String>,
}

impl Side {
    fn has(&self, id: &str) -> bool {
        self.available.iter().any(|d| d.id == id)
    }

    /// The `id` the selector shows: the device in use, or the default.
    pub fn selected(&self) -> &str {
        self.using.as_deref().unwrap_or(DEFAULT)
    }
}

/// What the console must do about audio devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioTask {
    /// Ask the SDK to use this device (`None`: the default) for this and future calls.
    Use { kind: Kind, id: Option<String> },
    /// Keep the agent's choice in the browser's storage (`None`: forget it).
    Save { kind: Kind, chosen: Option<AudioDevice> },
}

/// Both sides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audio {
    pub microphone: Side,
    pub speaker: Side,
    /// The browser has listed its devices at least once (the phone is connected).
    pub listed: bool,
}

impl Audio {
    /// The choices kept from an earlier visit: used as soon as the devices are listed.
    pub fn restore(&mut self, microphone: Option<AudioDevice>, speaker: Option<AudioDevice>) {
        self.microphone.chosen = microphone.filter(|d| !d.is_default());
        self.speaker.chosen = speaker.filter(|d| !d.is_default());
    }

    /// A new SDK device starts on the defaults and lists its devices afresh.
    pub fn new_device(&mut self) {
        self.listed = false;
        for side in [&mut self.microphone, &mut self.speaker] {
            side.available.clear();
            side.using = None;
        }
    }

    pub fn side(&self, kind: Kind) -> &Side {
        match kind {
            Kind::Microphone => &self.microphone,
            Kind::Speaker => &self.speaker,
        }
    }

    fn side_mut(&mut self, kind: Kind) -> &mut Side {
        match kind {
            Kind::Microphone => &mut self.microphone,
            Kind::Speaker => &mut self.speaker,
        }
    }

    /// The browser's lists, first or changed (a device plugged in or unplugged).
    pub fn listed(&mut self, microphones: Vec<AudioDevice>, speakers: Vec<AudioDevice>) -> Vec<AudioTask> {
        let first = !self.listed;
        self.listed = true;
        self.microphone.available = microphones;
        self.speaker.available = speakers;
        let mut tasks = Vec::new();
        for kind in [Kind::Microphone, Kind::Speaker] {
            let side = self.side_mut(kind);
            let Some(chosen) = side.chosen.clone() else {
                // Following the default: the browser moves it by itself.
                if side.using.is_some() {
                    side.using = None;
                    tasks.push(AudioTask::Use { kind, id: None });
                }
                continue;
            };
            let present = side.has(&chosen.id);
            let in_use = side.using.as_deref() == Some(chosen.id.as_str());
            if present && !in_use {
                side.using = Some(chosen.id.clone());
                tasks.push(AudioTask::Use { kind, id: Some(chosen.id.clone()) });
                side.note = (!first).then(|| format!("{} is back: using it again", chosen.name()));
            } else if !present && (in_use || first) {
                side.using = None;
                tasks.push(AudioTask::Use { kind, id: None });
                let what = if first { "is not plugged in" } else { "was unplugged" };
                side.note = Some(format!("{} {what}: using the default {} until it is back", chosen.name(), kind.as_str()));
            }
        }
        tasks
    }

    /// The agent picked a device (`default` to follow the system). An id the browser does not
    /// list (a stale page) changes nothing.
    pub fn choose(&mut self, kind: Kind, id: &str) -> Vec<AudioTask> {
        let side = self.side_mut(kind);
        let chosen = if id.is_empty() || id == DEFAULT {
            None
        } else {
            match side.available.iter().find(|d| d.id == id) {
                Some(device) => Some(device.clone()),
                None => return vec![],
            }
        };
        if side.chosen == chosen && side.using.as_deref() == chosen.as_ref().map(|d| d.id.as_str()) {
            return vec![];
        }
        side.using = chosen.as_ref().map(|d| d.id.clone());
        side.chosen = chosen.clone();
        side.note = None;
        vec![AudioTask::Save { kind, chosen: chosen.clone() }, AudioTask::Use { kind, id: chosen.map(|d| d.id) }]
    }

    /// The SDK would not use the device: the default is in use, and the agent is told why. The
    /// choice is kept, so the device is tried again when the list next changes.
    pub fn failed(&mut self, kind: Kind, message: &str) {
        let side = self.side_mut(kind);
        side.using = None;
        let name = side.chosen.as_ref().map(|d| d.name().to_string()).unwrap_or_else(|| "that device".into());
        side.note = Some(format!("could not use {name} as the {}: {message}; using the default", kind.as_str()));
    }

    /// What the agent is told about the devices: the microphone's news, then the speaker's
    /// (a plug or unplug may be reported one side at a time).
    pub fn note(&self) -> Option<String> {
        let notes: Vec<&str> = [&self.microphone.note, &self.speaker.note].into_iter().flatten().map(String::as_str).collect();
        (!notes.is_empty()).then(|| notes.join(" · "))
    }

    /// Where local sounds (keypad tones, the speaker test) play: the speaker in use.
    pub fn sink(&self) -> Option<String> {
        self.speaker.using.clone()
    }
}

/// The two frequencies (Hz) of a keypad key's tone (DTMF: a low row tone and a high column
/// tone); `None` for anything else (`w`, a pause, plays nothing).
pub fn dtmf(key: char) -> Option<(u16, u16)> {
    const ROWS: [u16; 4] = [697, 770, 852, 941];
    const COLUMNS: [u16; 3] = [1209, 1336, 1477];
    let at = "123456789*0#".find(key)?;
    Some((ROWS[at / 3], COLUMNS[at % 3]))
}

/// The speaker test's tone: one short note, plainly not a call sound.
pub const TEST_TONE: (u16, u32) = (660, 600);

#[cfg(test)]
mod tests {
    use super::*;
    use AudioTask as F;

    fn headset() -> AudioDevice {
        AudioDevice::new("headset", "USB headset")
    }

    fn mics(with_headset: bool) -> Vec<AudioDevice> {
        let mut list =
            vec![AudioDevice::new("default", "Default - Built-in microphone"), AudioDevice::new("builtin", "Built-in microphone")];
        if with_headset {
            list.push(headset());
        }
        list
    }

    fn speakers(with_headset: bool) -> Vec<AudioDevice> {
        let mut list = vec![AudioDevice::new("default", "Default - Built-in speakers")];
        if with_headset {
            list.push(headset());
        }
        list
    }

    fn use_(kind: Kind, id: Option<&str>) -> AudioTask {
        F::Use { kind, id: id.map(str::to_string) }
    }

    const BOTH_UNPLUGGED: &str = "USB headset was unplugged: using the default microphone until it is back · \
                                  USB headset was unplugged: using the default speaker until it is back";

    /// Given the headset chosen for both sides and listed.
    fn on_headset() -> Audio {
        let mut a = Audio::default();
        a.listed(mics(true), speakers(true));
        a.choose(Kind::Microphone, "headset");
        a.choose(Kind::Speaker, "headset");
        a
    }

    #[test]
    fn with_no_choice_the_default_is_followed_and_nothing_is_asked() {
        let mut a = Audio::default();
        assert_eq!(a.listed(mics(true), speakers(true)), vec![]);
        assert_eq!(a.microphone.selected(), "default");
        assert_eq!(a.sink(), None);
        assert_eq!(a.note(), None);
    }

    #[test]
    fn choosing_a_device_keeps_the_choice_and_uses_it() {
        let mut a = Audio::default();
        a.listed(mics(true), speakers(true));
        let fx = a.choose(Kind::Speaker, "headset");
        assert_eq!(fx, vec![F::Save { kind: Kind::Speaker, chosen: Some(headset()) }, use_(Kind::Speaker, Some("headset"))]);
        assert_eq!(a.sink().as_deref(), Some("headset"));
        assert_eq!(a.speaker.selected(), "headset");
    }

    #[test]
    fn choosing_the_default_forgets_the_choice() {
        let mut a = on_headset();
        let fx = a.choose(Kind::Microphone, "default");
        assert_eq!(fx, vec![F::Save { kind: Kind::Microphone, chosen: None }, use_(Kind::Microphone, None)]);
        assert_eq!(a.microphone.chosen, None);
    }

    #[test]
    fn choosing_a_device_the_browser_does_not_list_changes_nothing() {
        let mut a = on_headset();
        let before = a.clone();
        assert_eq!(a.choose(Kind::Speaker, "gone"), vec![]);
        assert_eq!(a, before);
        assert_eq!(a.choose(Kind::Speaker, "headset"), vec![], "choosing what is in use again asks nothing");
    }

    #[test]
    fn the_choice_from_an_earlier_visit_is_used_once_the_devices_are_listed() {
        let mut a = Audio::default();
        a.restore(Some(headset()), Some(headset()));
        let fx = a.listed(mics(true), speakers(true));
        assert_eq!(fx, vec![use_(Kind::Microphone, Some("headset")), use_(Kind::Speaker, Some("headset"))]);
        assert_eq!(a.note(), None, "nothing to tell: it is what the agent chose");
    }

    #[test]
    fn a_kept_choice_that_is_not_plugged_in_falls_back_and_says_so() {
        let mut a = Audio::default();
        a.restore(Some(headset()), None);
        let fx = a.listed(mics(false), speakers(false));
        assert_eq!(fx, vec![use_(Kind::Microphone, None)]);
        assert_eq!(a.note().as_deref(), Some("USB headset is not plugged in: using the default microphone until it is back"));
        // ...and when it is plugged in, it is used.
        let fx = a.listed(mics(true), speakers(true));
        assert_eq!(fx, vec![use_(Kind::Microphone, Some("headset"))]);
        assert_eq!(a.note().as_deref(), Some("USB headset is back: using it again"));
    }

    #[test]
    fn unplugging_the_chosen_device_falls_back_to_the_default_and_says_so() {
        let mut a = on_headset();
        let fx = a.listed(mics(false), speakers(false));
        assert_eq!(fx, vec![use_(Kind::Microphone, None), use_(Kind::Speaker, None)]);
        assert_eq!(a.sink(), None, "tones play on the default speaker now");
        assert_eq!(a.microphone.chosen, Some(headset()), "the choice is kept for when it comes back");
        assert_eq!(a.note().as_deref(), Some(BOTH_UNPLUGGED));
    }

    #[test]
    fn an_unplug_reported_one_side_at_a_time_tells_both() {
        let mut a = on_headset();
        a.listed(mics(true), speakers(false));
        a.listed(mics(false), speakers(false));
        assert_eq!(a.note().as_deref(), Some(BOTH_UNPLUGGED));
    }

    #[test]
    fn plugging_the_chosen_device_back_in_uses_it_again() {
        let mut a = on_headset();
        a.listed(mics(false), speakers(false));
        let fx = a.listed(mics(true), speakers(true));
        assert_eq!(fx, vec![use_(Kind::Microphone, Some("headset")), use_(Kind::Speaker, Some("headset"))]);
        assert_eq!(a.sink().as_deref(), Some("headset"));
        assert_eq!(a.note().as_deref(), Some("USB headset is back: using it again · USB headset is back: using it again"));
    }

    #[test]
    fn a_new_phone_device_is_told_the_choice_again() {
        let mut a = on_headset();
        a.new_device();
        assert_eq!(a.sink(), None, "a new device starts on the default");
        let fx = a.listed(mics(true), speakers(true));
        assert_eq!(fx, vec![use_(Kind::Microphone, Some("headset")), use_(Kind::Speaker, Some("headset"))]);
    }

    #[test]
    fn an_unrelated_change_asks_nothing_and_keeps_the_note() {
        let mut a = on_headset();
        let mut more = mics(true);
        more.push(AudioDevice::new("webcam", "Webcam microphone"));
        assert_eq!(a.listed(more, speakers(true)), vec![]);
        assert_eq!(a.note(), None);
    }

    #[test]
    fn a_device_the_sdk_refuses_leaves_the_default_in_use_and_says_why() {
        let mut a = on_headset();
        a.failed(Kind::Speaker, "Devices not found: headset");
        assert_eq!(a.sink(), None);
        assert_eq!(a.note().as_deref(), Some("could not use USB headset as the speaker: Devices not found: headset; using the default"));
        // The next change of the list tries it again.
        assert_eq!(a.listed(mics(true), speakers(true)), vec![use_(Kind::Speaker, Some("headset"))]);
    }

    #[test]
    fn keypad_keys_have_their_dtmf_tones() {
        assert_eq!(dtmf('1'), Some((697, 1209)));
        assert_eq!(dtmf('5'), Some((770, 1336)));
        assert_eq!(dtmf('9'), Some((852, 1477)));
        assert_eq!(dtmf('*'), Some((941, 1209)));
        assert_eq!(dtmf('0'), Some((941, 1336)));
        assert_eq!(dtmf('#'), Some((941, 1477)));
        assert_eq!(dtmf('w'), None);
        assert_eq!(dtmf('A'), None);
    }

    #[test]
    fn a_choice_is_stored_as_id_and_label() {
        assert_eq!(AudioDevice::from_stored(&headset().stored()), Some(headset()));
        assert_eq!(AudioDevice::from_stored("abc"), Some(AudioDevice::new("abc", "")));
        assert_eq!(AudioDevice::from_stored(""), None);
        assert_eq!(AudioDevice::new("abc", "").name(), "abc", "no label before the microphone is allowed");
    }
}
