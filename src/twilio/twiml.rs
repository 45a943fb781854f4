//! A small TwiML writer covering the verbs the app answers Twilio with.
//!
//! The output follows twilio-python's writer (XML declaration, lowerCamelCase attributes,
//! `true`/`false`, attributes in alphabetical order, no whitespace) so documents can be compared
//! with the reference vectors. Caller-supplied text (names, labels, URLs) may be anything, so it
//! is always escaped and characters XML 1.0 cannot carry are dropped: the document stays
//! well-formed and no text can smuggle in extra verbs.

use std::fmt::Write as _;

/// `Content-Type` of a TwiML answer.
pub const CONTENT_TYPE: &str = "text/xml";

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// A `<Response>` document, built verb by verb in the order Twilio will execute them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    verbs: Vec<Verb>,
}

#[derive(Debug, Clone, PartialEq)]
enum Verb {
    Say(String),
    Play { url: String, loop_count: Option<u32> },
    DialConference(Conference),
    Hangup,
    Pause(u32),
    Redirect(String),
    Record(Record),
    Gather { gather: Gather, say: String },
}

/// `<Gather>` for keys pressed (`input="dtmf"`), with a sentence said while it listens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gather {
    /// Requested (POST) with `Digits` once the caller has pressed `num_digits` keys or the
    /// finish key; with nothing pressed, Twilio goes on to the next verb.
    pub action: String,
    pub num_digits: Option<u32>,
    pub timeout_secs: Option<u32>,
    pub finish_on_key: Option<String>,
    /// Listen for speech too (`input="dtmf speech"`), with these words as hints.
    pub speech_hints: Option<String>,
}

/// `<Record>`: the caller's message; `None` leaves Twilio's default in place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Requested (POST) when the recording ends, with `RecordingUrl`, `RecordingSid`,
    /// `RecordingDuration` and `Digits` (the key that ended it, or `hangup`).
    pub action: Option<String>,
    pub max_length_secs: Option<u32>,
    /// Seconds of silence that end the recording.
    pub timeout_secs: Option<u32>,
    pub finish_on_key: Option<String>,
    pub play_beep: Option<bool>,
    pub recording_status_callback: Option<String>,
    pub transcribe: Option<bool>,
    pub transcribe_callback: Option<String>,
}

/// When a `<Conference>` plays its beep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beep {
    True,
    False,
    OnEnter,
    OnExit,
}

impl Beep {
    fn as_str(self) -> &'static str {
        match self {
            Beep::True => "true",
            Beep::False => "false",
            Beep::OnEnter => "onEnter",
            Beep::OnExit => "onExit",
        }
    }
}

/// `<Dial><Conference …>{name}</Conference></Dial>`; `None` leaves Twilio's default in place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conference {
    pub name: String,
    pub start_conference_on_enter: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub wait_url: Option<String>,
    pub wait_method: Option<String>,
    pub beep: Option<Beep>,
    pub muted: Option<bool>,
    /// Must be unique within the conference; lets the REST API address the participant.
    pub participant_label: Option<String>,
    pub status_callback: Option<String>,
    /// e.g. `start end join leave`; written space-separated.
    pub status_callback_event: Vec<String>,
    pub status_callback_method: Option<String>,
}

impl Response {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<Say>`: text read aloud.
    pub fn say(mut self, text: impl Into<String>) -> Self {
        self.verbs.push(Verb::Say(text.into()));
        self
    }

    /// `<Play>`: an audio file; `loop_count` `Some(0)` repeats until the call moves on.
    pub fn play(mut self, url: impl Into<String>, loop_count: Option<u32>) -> Self {
        self.verbs.push(Verb::Play { url: url.into(), loop_count });
        self
    }

    /// `<Dial><Conference>`: puts the call into the named conference room.
    pub fn dial_conference(mut self, c: Conference) -> Self {
        self.verbs.push(Verb::DialConference(c));
        self
    }

    /// `<Hangup/>`
    pub fn hangup(mut self) -> Self {
        self.verbs.push(Verb::Hangup);
        self
    }

    /// `<Redirect method="POST">url</Redirect>`: Twilio fetches `url` and runs it instead.
    pub fn redirect(mut self, url: impl Into<String>) -> Self {
        self.verbs.push(Verb::Redirect(url.into()));
        self
    }

    /// `<Record …/>`: records what the caller says.
    pub fn record(mut self, r: Record) -> Self {
        self.verbs.push(Verb::Record(r));
        self
    }

    /// `<Gather …><Say>say</Say></Gather>`: keys pressed while (and after) `say` is said.
    pub fn gather(mut self, gather: Gather, say: impl Into<String>) -> Self {
        self.verbs.push(Verb::Gather { gather, say: say.into() });
        self
    }

    /// `<Pause length="secs"/>`
    pub fn pause(mut self, secs: u32) -> Self {
        self.verbs.push(Verb::Pause(secs));
        self
    }

    /// The complete document, XML declaration included.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(DECLARATION);
        out.push_str("<Response>");
        for verb in &self.verbs {
            match verb {
                Verb::Say(text) => element(&mut out, "Say", &[], Some(text)),
                Verb::Play { url, loop_count } => {
                    let attrs = [("loop", loop_count.map(|n| n.to_string()))];
                    element(&mut out, "Play", &attrs, Some(url));
                }
                Verb::DialConference(c) => {
                    out.push_str("<Dial>");
                    element(&mut out, "Conference", &conference_attrs(c), Some(&c.name));
                    out.push_str("</Dial>");
                }
                Verb::Hangup => element(&mut out, "Hangup", &[], None),
                Verb::Redirect(url) => element(&mut out, "Redirect", &[("method", Some("POST".to_string()))], Some(url)),
                Verb::Pause(secs) => {
                    element(&mut out, "Pause", &[("length", Some(secs.to_string()))], None);
                }
                Verb::Gather { gather: g, say } => {
                    out.push_str("<Gather");
                    let attrs = [
                        ("action", Some(g.action.clone())),
                        ("finishOnKey", g.finish_on_key.clone()),
                        ("hints", g.speech_hints.clone()),
                        ("input", Some(if g.speech_hints.is_some() { "dtmf speech" } else { "dtmf" }.to_string())),
                        ("method", Some("POST".to_string())),
                        ("numDigits", g.num_digits.map(|n| n.to_string())),
                        ("timeout", g.timeout_secs.map(|n| n.to_string())),
                    ];
                    for (key, value) in attrs {
                        if let Some(value) = value {
                            let _ = write!(out, " {key}=\"");
                            escape_into(&mut out, &value, true);
                            out.push('"');
                        }
                    }
                    out.push('>');
                    element(&mut out, "Say", &[], Some(say));
                    out.push_str("</Gather>");
                }
                Verb::Record(r) => {
                    // Alphabetical, as twilio-python writes them.
                    let attrs = [
                        ("action", r.action.clone()),
                        ("finishOnKey", r.finish_on_key.clone()),
                        ("maxLength", r.max_length_secs.map(|n| n.to_string())),
                        ("method", r.action.as_ref().map(|_| "POST".to_string())),
                        ("playBeep", r.play_beep.map(|b| b.to_string())),
                        ("recordingStatusCallback", r.recording_status_callback.clone()),
                        ("recordingStatusCallbackMethod", r.recording_status_callback.as_ref().map(|_| "POST".to_string())),
                        ("timeout", r.timeout_secs.map(|n| n.to_string())),
                        ("transcribe", r.transcribe.map(|b| b.to_string())),
                        ("transcribeCallback", r.transcribe_callback.clone()),
                    ];
                    element(&mut out, "Record", &attrs, None);
                }
            }
        }
        out.push_str("</Response>");
        out
    }
}

/// `<Conference>` attributes in alphabetical order, as twilio-python writes them.
fn conference_attrs(c: &Conference) -> [(&'static str, Option<String>); 10] {
    let flag = |b: Option<bool>| b.map(|b| b.to_string());
    let events = (!c.status_callback_event.is_empty()).then(|| c.status_callback_event.join(" "));
    [
        ("beep", c.beep.map(|b| b.as_str().to_owned())),
        ("endConferenceOnExit", flag(c.end_conference_on_exit)),
        ("muted", flag(c.muted)),
        ("participantLabel", c.participant_label.clone()),
        ("startConferenceOnEnter", flag(c.start_conference_on_enter)),
        ("statusCallback", c.status_callback.clone()),
        ("statusCallbackEvent", events),
        ("statusCallbackMethod", c.status_callback_method.clone()),
        ("waitMethod", c.wait_method.clone()),
        ("waitUrl", c.wait_url.clone()),
    ]
}

/// Writes `<name attr="…">text</name>`, or `<name …/>` without text; `None` attributes are
/// left out.
fn element(out: &mut String, name: &str, attrs: &[(&str, Option<String>)], text: Option<&str>) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attrs {
        if let Some(value) = value {
            let _ = write!(out, " {key}=\"");
            escape_into(out, value, true);
            out.push('"');
        }
    }
    match text {
        Some(text) => {
            out.push('>');
            escape_into(out, text, false);
            let _ = write!(out, "</{name}>");
        }
        None => out.push_str("/>"),
    }
}

/// Escapes markup characters and drops what XML 1.0 cannot represent at all (C0 controls other
/// than tab/newline/carriage return, U+FFFE, U+FFFF). `\r` is written as a character reference
/// because a parser would otherwise turn it into `\n`; in attributes tab and newline are too,
/// since attribute-value normalisation would turn them into spaces.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    const VECTORS: &str = include_str!("../../tests/fixtures/twilio-vectors.json");

    /// A parsed element reduced to what Twilio cares about: name, attributes as a set, direct
    /// text, children in order.
    #[derive(Debug, PartialEq)]
    struct Tree {
        name: String,
        attrs: BTreeMap<String, String>,
        text: String,
        children: Vec<Tree>,
    }

    fn tree(node: roxmltree::Node<'_, '_>) -> Tree {
        Tree {
            name: node.tag_name().name().to_owned(),
            attrs: node.attributes().map(|a| (a.name().to_owned(), a.value().to_owned())).collect(),
            text: node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect(),
            children: node.children().filter(|n| n.is_element()).map(tree).collect(),
        }
    }

    fn parse(xml: &str) -> Tree {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        tree(doc.root_element())
    }

    /// The `Response` each vector describes: the first ones through their `inputs`, the last
    /// two (empty inputs) rebuilt from what their XML shows.
    fn response_for(vector: &Value) -> Response {
        let inputs = vector["inputs"].as_object().expect("inputs object");
        if !inputs.is_empty() {
            return Response::new().dial_conference(Conference {
                name: inputs["conference"].as_str().unwrap().to_owned(),
                wait_url: Some(inputs["wait_url"].as_str().unwrap().to_owned()),
                start_conference_on_enter: Some(inputs["start_conference_on_enter"].as_bool().unwrap()),
                end_conference_on_exit: Some(inputs["end_conference_on_exit"].as_bool().unwrap()),
                ..Conference::default()
            });
        }
        match vector["name"].as_str().unwrap() {
            "customer wait message and music" => Response::new()
                .say(
                    "Thank you for calling. Please wait in line for a few seconds. \
                     An agent will be with you shortly.",
                )
                .play("http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3", Some(0)),
            "escaping and status callbacks" => Response::new().dial_conference(Conference {
                name: "Room & <1>".into(),
                beep: Some(Beep::False),
                muted: Some(true),
                participant_label: Some("agent1".into()),
                status_callback: Some("https://ex.com/cb?a=1&b=2".into()),
                status_callback_event: ["start", "end", "join", "leave"].map(String::from).to_vec(),
                wait_method: Some("GET".into()),
                ..Conference::default()
            }),
            other => panic!("no Response known for twiml vector {other:?}"),
        }
    }

    #[test]
    fn every_twiml_vector_is_reproduced_as_an_equivalent_document() {
        let all: Value = serde_json::from_str(VECTORS).expect("fixture is valid JSON");
        let vectors = all["twiml"].as_array().expect("twiml array");
        assert!(!vectors.is_empty());
        for v in vectors {
            let name = v["name"].as_str().unwrap();
            let ours = response_for(v).to_xml();
            assert!(ours.starts_with(DECLARATION), "vector {name:?}: {ours}");
            assert_eq!(parse(&ours), parse(v["xml"].as_str().unwrap()), "vector {name:?}: {ours}");
        }
    }

    #[test]
    fn the_document_starts_with_the_xml_declaration_and_content_type_is_text_xml() {
        assert_eq!(Response::new().to_xml(), format!("{DECLARATION}<Response></Response>"));
        assert_eq!(CONTENT_TYPE, "text/xml");
    }

    #[test]
    fn verbs_are_written_in_the_order_they_were_added_with_their_attributes() {
        let xml = Response::new()
            .say("one")
            .pause(2)
            .play("https://ex.com/a.mp3", None)
            .dial_conference(Conference {
                name: "room".into(),
                beep: Some(Beep::OnEnter),
                status_callback: Some("https://ex.com/cb".into()),
                status_callback_method: Some("POST".into()),
                ..Conference::default()
            })
            .hangup()
            .to_xml();
        let response = parse(&xml);
        let names: Vec<&str> = response.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Say", "Pause", "Play", "Dial", "Hangup"]);
        assert_eq!(response.children[1].attrs["length"], "2");
        assert!(response.children[2].attrs.is_empty(), "no loop attribute unless asked");
        let conference = &response.children[3].children[0];
        assert_eq!(conference.text, "room");
        let expected: BTreeMap<String, String> =
            [("beep", "onEnter"), ("statusCallback", "https://ex.com/cb"), ("statusCallbackMethod", "POST")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        assert_eq!(conference.attrs, expected);
        assert!(xml.contains("<Hangup/>"), "{xml}");
    }

    #[test]
    fn every_beep_value_is_written_as_twilio_spells_it() {
        for (beep, spelled) in [(Beep::True, "true"), (Beep::False, "false"), (Beep::OnEnter, "onEnter"), (Beep::OnExit, "onExit")] {
            let conference = Conference { name: "r".into(), beep: Some(beep), ..Conference::default() };
            let response = parse(&Response::new().dial_conference(conference).to_xml());
            assert_eq!(response.children[0].children[0].attrs["beep"], spelled);
        }
    }

    #[test]
    fn hostile_text_stays_escaped_and_the_document_still_parses() {
        let hostile = "</Say><Hangup/>\"quoted\" 'single' & <b>\u{0}\u{7}\u{1b}\u{fffe} 😀 a\r\nb\tc";
        let cleaned = "</Say><Hangup/>\"quoted\" 'single' & <b> 😀 a\r\nb\tc";
        let xml = Response::new()
            .say(hostile)
            .play(hostile, Some(1))
            .dial_conference(Conference {
                name: hostile.into(),
                wait_url: Some(hostile.into()),
                participant_label: Some(hostile.into()),
                status_callback_event: vec![hostile.into(), "end".into()],
                ..Conference::default()
            })
            .to_xml();

        let response = parse(&xml);
        let names: Vec<&str> = response.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Say", "Play", "Dial"], "no verb was injected: {xml}");
        assert_eq!(response.children[0].text, cleaned);
        assert!(response.children[0].children.is_empty());
        assert_eq!(response.children[1].text, cleaned);
        assert_eq!(response.children[1].attrs["loop"], "1");

        let conference = &response.children[2].children[0];
        assert_eq!(conference.text, cleaned);
        assert_eq!(conference.attrs["waitUrl"], cleaned);
        assert_eq!(conference.attrs["participantLabel"], cleaned);
        assert_eq!(conference.attrs["statusCallbackEvent"], format!("{cleaned} end"));
    }
}
