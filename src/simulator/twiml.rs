//! Reads the TwiML documents the simulated Twilio is handed (the app's answers, wait and hold
//! documents) into a typed list of instructions the engine executes.
//!
//! Only what this app can meet is understood: `<Say>`, `<Play>`, `<Pause>`, `<Hangup>`,
//! `<Redirect>`, `<Dial><Conference>`, `<Gather>` (with `<Say>`, `<Play>`, `<Pause>` inside) and
//! `<Record>`. Anything else is an error value, never a panic: a real
//! Twilio would answer such a document with "an application error has occurred", and so does the
//! engine.
//! Defaults are Twilio's documented ones, so a document that leaves an attribute out behaves as
//! it would on the real service.

use serde::Serialize;

/// One verb, in the order Twilio executes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verb", rename_all = "kebab-case")]
pub enum Instruction {
    /// Text read aloud.
    Say {
        text: String,
    },
    /// An audio file; `loop_count` 0 repeats until the call moves on (Twilio's default is 1).
    Play {
        url: String,
        loop_count: u32,
    },
    /// Silence for `length_secs` (Twilio's default is 1).
    Pause {
        length_secs: u32,
    },
    Hangup,
    /// `<Dial><Conference>`: join the named conference room.
    Dial(ConferenceJoin),
    /// Fetch `url` (with the call's parameters) and execute it instead of the rest of this
    /// document; `method` is `GET` or `POST` (Twilio's default).
    Redirect {
        url: String,
        method: String,
    },
    /// Collects DTMF digits or speech, then requests its `action`.
    Gather(Gather),
    /// Records what the caller says, then requests its `action`.
    Record(Record),
}

/// `<Gather>` with every attribute resolved to its value or Twilio's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gather {
    /// `input` has `dtmf` (the default is `dtmf` alone).
    pub dtmf: bool,
    /// `input` has `speech`.
    pub speech: bool,
    /// `None`: the current document's URL (Twilio's default).
    pub action: Option<String>,
    /// Default `POST`.
    pub method: String,
    /// Seconds of no input before the Gather gives up (default 5); reset by every digit.
    pub timeout_secs: u32,
    /// Submit once this many digits are in (`None`: no limit).
    pub num_digits: Option<u32>,
    /// The key that submits (default `#`); `None` when set to the empty string (no key does).
    pub finish_on_key: Option<char>,
    /// Request `action` even when nothing was entered (default `false`: carry on with the next verb).
    pub action_on_empty_result: bool,
    /// The nested `<Say>`, `<Play>` and `<Pause>`, heard while gathering.
    pub prompts: Vec<Instruction>,
}

/// `<Record>` with every attribute resolved to its value or Twilio's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// `None`: the current document's URL (Twilio's default).
    pub action: Option<String>,
    /// Default `POST`.
    pub method: String,
    /// Default 3600 seconds.
    pub max_length_secs: u32,
    /// Seconds of silence that end the recording (default 5).
    pub timeout_secs: u32,
    /// Keys that end the recording (default `1234567890*#`; empty: none does).
    pub finish_on_key: String,
    /// Default `true`.
    pub play_beep: bool,
    pub recording_status_callback: Option<String>,
    /// Default `POST`.
    pub recording_status_callback_method: String,
    /// Event words (`in-progress completed absent`); default `completed`.
    pub recording_status_callback_event: Vec<String>,
    /// Default `false`; a `transcribeCallback` implies `true`.
    pub transcribe: bool,
    pub transcribe_callback: Option<String>,
}

/// `<Conference>` with every attribute resolved to its value or Twilio's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConferenceJoin {
    pub name: String,
    /// Default `true`.
    pub start_conference_on_enter: bool,
    /// Default `false`.
    pub end_conference_on_exit: bool,
    /// `None`: Twilio's default hold music; `Some("")`: silence; otherwise a TwiML or audio URL.
    pub wait_url: Option<String>,
    /// Default `POST`.
    pub wait_method: String,
    pub participant_label: Option<String>,
    /// `true`, `false`, `onEnter` or `onExit`; default `true`.
    pub beep: String,
    /// Default `false`.
    pub muted: bool,
    pub status_callback: Option<String>,
    /// Event words (`start end join leave mute hold modify …`), space-separated in the document.
    pub status_callback_event: Vec<String>,
    /// Default `POST`.
    pub status_callback_method: String,
}

impl ConferenceJoin {
    /// A join with every default, as `<Dial><Conference>name</Conference></Dial>` gives.
    pub fn named(name: impl Into<String>) -> Self {
        ConferenceJoin {
            name: name.into(),
            start_conference_on_enter: true,
            end_conference_on_exit: false,
            wait_url: None,
            wait_method: "POST".into(),
            participant_label: None,
            beep: "true".into(),
            muted: false,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: "POST".into(),
        }
    }
}

/// Why a document cannot be executed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    #[error("not well-formed XML: {0}")]
    Xml(String),
    #[error("the root element must be <Response>, found <{0}>")]
    NotResponse(String),
    #[error("unsupported verb <{0}>")]
    UnknownVerb(String),
    #[error("<Dial> must hold exactly one <Conference> (found {0})")]
    UnsupportedDial(String),
    #[error("<{element}> has an invalid {attribute}: {value:?}")]
    BadAttribute { element: &'static str, attribute: &'static str, value: String },
    #[error("<Conference> needs a room name")]
    EmptyConferenceName,
    #[error("<Redirect> needs a URL")]
    EmptyRedirectUrl,
    #[error("<{0}> cannot be nested in <Gather> (only <Say>, <Play> and <Pause> can)")]
    NotInGather(String),
}

/// Parses a whole TwiML document.
pub fn parse(xml: &str) -> Result<Vec<Instruction>, TwimlError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| TwimlError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "Response" {
        return Err(TwimlError::NotResponse(root.tag_name().name().to_string()));
    }
    root.children().filter(|n| n.is_element()).map(verb).collect()
}

fn verb(node: roxmltree::Node<'_, '_>) -> Result<Instruction, TwimlError> {
    match node.tag_name().name() {
        "Say" => Ok(Instruction::Say { text: text_of(node) }),
        "Play" => Ok(Instruction::Play { url: text_of(node), loop_count: number(node, "Play", "loop", 1)? }),
        "Pause" => Ok(Instruction::Pause { length_secs: number(node, "Pause", "length", 1)? }),
        "Hangup" => Ok(Instruction::Hangup),
        "Dial" => dial(node),
        "Redirect" => redirect(node),
        "Gather" => gather(node),
        "Record" => record(node),
        other => Err(TwimlError::UnknownVerb(other.to_string())),
    }
}

fn gather(node: roxmltree::Node<'_, '_>) -> Result<Instruction, TwimlError> {
    let input = node.attribute("input").unwrap_or("dtmf");
    let words: Vec<&str> = input.split_whitespace().collect();
    if words.is_empty() || words.iter().any(|w| !matches!(*w, "dtmf" | "speech")) {
        return Err(TwimlError::BadAttribute { element: "Gather", attribute: "input", value: input.to_string() });
    }
    let finish_on_key = match node.attribute("finishOnKey") {
        None => Some('#'),
        Some("") => None,
        Some(k) => match k.chars().collect::<Vec<_>>().as_slice() {
            [c] if matches!(c, '0'..='9' | '*' | '#') => Some(*c),
            _ => return Err(TwimlError::BadAttribute { element: "Gather", attribute: "finishOnKey", value: k.to_string() }),
        },
    };
    let num_digits = match node.attribute("numDigits") {
        None => None,
        Some(_) => Some(number(node, "Gather", "numDigits", 1)?).filter(|n| *n > 0),
    };
    let prompts = node
        .children()
        .filter(|n| n.is_element())
        .map(|n| match n.tag_name().name() {
            "Say" | "Play" | "Pause" => verb(n),
            other => Err(TwimlError::NotInGather(other.to_string())),
        })
        .collect::<Result<_, _>>()?;
    Ok(Instruction::Gather(Gather {
        dtmf: words.contains(&"dtmf"),
        speech: words.contains(&"speech"),
        action: url_attribute(node, "action"),
        method: method(node, "Gather", "method")?,
        timeout_secs: number(node, "Gather", "timeout", 5)?,
        num_digits,
        finish_on_key,
        action_on_empty_result: flag_of(node, "Gather", "actionOnEmptyResult", false)?,
        prompts,
    }))
}

fn record(node: roxmltree::Node<'_, '_>) -> Result<Instruction, TwimlError> {
    let finish_on_key = node.attribute("finishOnKey").unwrap_or("1234567890*#").to_string();
    if finish_on_key.chars().any(|c| !matches!(c, '0'..='9' | '*' | '#')) {
        return Err(TwimlError::BadAttribute { element: "Record", attribute: "finishOnKey", value: finish_on_key });
    }
    let transcribe_callback = url_attribute(node, "transcribeCallback");
    let events = node.attribute("recordingStatusCallbackEvent").unwrap_or("completed");
    Ok(Instruction::Record(Record {
        action: url_attribute(node, "action"),
        method: method(node, "Record", "method")?,
        max_length_secs: number(node, "Record", "maxLength", 3600)?,
        timeout_secs: number(node, "Record", "timeout", 5)?,
        finish_on_key,
        play_beep: flag_of(node, "Record", "playBeep", true)?,
        recording_status_callback: url_attribute(node, "recordingStatusCallback"),
        recording_status_callback_method: method(node, "Record", "recordingStatusCallbackMethod")?,
        recording_status_callback_event: events.split([' ', ',']).filter(|w| !w.is_empty()).map(str::to_string).collect(),
        transcribe: flag_of(node, "Record", "transcribe", false)? || transcribe_callback.is_some(),
        transcribe_callback,
    }))
}

/// A URL attribute, trimmed; absent or blank is `None`.
fn url_attribute(node: roxmltree::Node<'_, '_>, attribute: &str) -> Option<String> {
    node.attribute(attribute).map(str::trim).filter(|u| !u.is_empty()).map(str::to_string)
}

fn redirect(node: roxmltree::Node<'_, '_>) -> Result<Instruction, TwimlError> {
    let url = text_of(node);
    if url.is_empty() {
        return Err(TwimlError::EmptyRedirectUrl);
    }
    Ok(Instruction::Redirect { url, method: method(node, "Redirect", "method")? })
}

fn dial(node: roxmltree::Node<'_, '_>) -> Result<Instruction, TwimlError> {
    let nouns: Vec<_> = node.children().filter(|n| n.is_element()).collect();
    let conference = match nouns.as_slice() {
        [only] if only.tag_name().name() == "Conference" => *only,
        [] => return Err(TwimlError::UnsupportedDial("no noun".into())),
        more => {
            let names: Vec<String> = more.iter().map(|n| format!("<{}>", n.tag_name().name())).collect();
            return Err(TwimlError::UnsupportedDial(names.join(", ")));
        }
    };
    let name = text_of(conference);
    if name.is_empty() {
        return Err(TwimlError::EmptyConferenceName);
    }
    let attr = |a: &str| conference.attribute(a).map(str::to_string);
    let mut join = ConferenceJoin::named(name);
    join.start_conference_on_enter = flag(conference, "startConferenceOnEnter", true)?;
    join.end_conference_on_exit = flag(conference, "endConferenceOnExit", false)?;
    join.muted = flag(conference, "muted", false)?;
    join.wait_url = attr("waitUrl");
    join.wait_method = method(conference, "Conference", "waitMethod")?;
    join.participant_label = attr("participantLabel");
    join.status_callback = attr("statusCallback");
    join.status_callback_method = method(conference, "Conference", "statusCallbackMethod")?;
    join.status_callback_event =
        attr("statusCallbackEvent").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    if let Some(beep) = attr("beep") {
        if !matches!(beep.as_str(), "true" | "false" | "onEnter" | "onExit") {
            return Err(TwimlError::BadAttribute { element: "Conference", attribute: "beep", value: beep });
        }
        join.beep = beep;
    }
    Ok(Instruction::Dial(join))
}

/// The element's own text, trimmed: pretty-printed documents indent it, Twilio ignores that.
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    let text: String = node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    text.trim().to_string()
}

fn flag(node: roxmltree::Node<'_, '_>, attribute: &'static str, default: bool) -> Result<bool, TwimlError> {
    flag_of(node, "Conference", attribute, default)
}

fn flag_of(node: roxmltree::Node<'_, '_>, element: &'static str, attribute: &'static str, default: bool) -> Result<bool, TwimlError> {
    match node.attribute(attribute) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(TwimlError::BadAttribute { element, attribute, value: v.to_string() }),
    }
}

fn method(node: roxmltree::Node<'_, '_>, element: &'static str, attribute: &'static str) -> Result<String, TwimlError> {
    match node.attribute(attribute) {
        None => Ok("POST".into()),
        Some(v) if v.eq_ignore_ascii_case("GET") || v.eq_ignore_ascii_case("POST") => Ok(v.to_ascii_uppercase()),
        Some(v) => Err(TwimlError::BadAttribute { element, attribute, value: v.to_string() }),
    }
}

fn number(node: roxmltree::Node<'_, '_>, element: &'static str, attribute: &'static str, default: u32) -> Result<u32, TwimlError> {
    match node.attribute(attribute) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| TwimlError::BadAttribute { element, attribute, value: v.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::flow;
    use crate::config::Settings;
    use crate::twilio::twiml::{Beep, Conference, Response};

    fn settings() -> Settings {
        crate::config::test_settings()
    }

    fn read(r: &Response) -> Vec<Instruction> {
        let xml = r.to_xml();
        parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"))
    }

    fn only_join(doc: &[Instruction]) -> &ConferenceJoin {
        match doc {
            [Instruction::Dial(join)] => join,
            other => panic!("expected one Dial, got {other:?}"),
        }
    }

    fn ca01() -> crate::ids::CallSid {
        crate::ids::CallSid::parse(&format!("CA{:032x}", 1)).unwrap()
    }

    #[test]
    fn the_customer_document_reads_back_as_a_waiting_conference_that_ends_with_the_customer() {
        let s = settings();
        let doc = read(&flow::customer_twiml(&s, &ca01()));
        assert_eq!(doc[0], Instruction::Say { text: flow::WAIT_MESSAGE.into() });
        let join = only_join(&doc[1..]);
        assert_eq!(join.name, ca01().as_str());
        assert!(!join.start_conference_on_enter);
        assert!(join.end_conference_on_exit);
        assert_eq!(join.wait_url.as_deref(), Some("https://support.example.com/conference/wait"));
        assert_eq!(join.wait_method, "POST");
        assert_eq!(join.status_callback.as_deref(), Some("https://support.example.com/twilio/status"));
        assert_eq!(join.status_callback_event, flow::CONFERENCE_EVENTS.map(String::from).to_vec());
        assert_eq!(join.participant_label, None);
        assert_eq!((join.beep.as_str(), join.muted), ("true", false));
    }

    #[test]
    fn the_trouble_document_reads_back_as_an_apology_then_the_same_conference() {
        let s = settings();
        let doc = read(&flow::customer_trouble_twiml(&s, &ca01()));
        assert_eq!(doc.len(), 2);
        assert_eq!(doc[0], Instruction::Say { text: flow::TROUBLE_MESSAGE.into() });
        assert_eq!(only_join(&doc[1..]), only_join(&read(&flow::customer_twiml(&s, &ca01()))[1..]));
    }

    #[test]
    fn the_wait_document_reads_back_as_the_place_in_line_music_and_a_redirect() {
        let s = settings();
        assert_eq!(
            read(&flow::wait_twiml(&s, Some(3))),
            vec![
                Instruction::Say { text: "You are caller number 3.".into() },
                Instruction::Play { url: s.wait_music_url.clone(), loop_count: 1 },
                Instruction::Redirect {
                    url: s.public_url(&crate::calls::paths::Wait { after_transfer: false }.to_string()),
                    method: "POST".into()
                },
            ]
        );
    }

    #[test]
    fn agent_join_documents_read_back_with_start_on_enter_and_never_end_on_exit() {
        let s = settings();
        {
            let doc = read(&flow::agent_join_twiml(&s, &ca01(), &crate::center::Party::parse("agent2").unwrap()));
            let join = only_join(&doc);
            assert_eq!(join.name, ca01().as_str());
            assert!(join.start_conference_on_enter);
            assert!(!join.end_conference_on_exit);
            assert_eq!(join.participant_label.as_deref(), Some("agent2"));
            assert_eq!(join.wait_url.as_deref(), Some(s.hold_music_url.as_str()));
            assert_eq!(join.status_callback, None);
            assert!(join.status_callback_event.is_empty());
        }
    }

    #[test]
    fn every_writer_attribute_and_verb_survives_a_round_trip() {
        let doc = read(
            &Response::new()
                .say("a & <b>")
                .pause(3)
                .play("https://ex.com/a.mp3", None)
                .play("https://ex.com/b.mp3", Some(2))
                .dial_conference(Conference {
                    name: "Room & <1>".into(),
                    beep: Some(Beep::OnExit),
                    muted: Some(true),
                    participant_label: Some("agent \"1\"".into()),
                    wait_method: Some("GET".into()),
                    status_callback_method: Some("GET".into()),
                    ..Conference::default()
                })
                .hangup(),
        );
        assert_eq!(doc[0], Instruction::Say { text: "a & <b>".into() });
        assert_eq!(doc[1], Instruction::Pause { length_secs: 3 });
        assert_eq!(doc[2], Instruction::Play { url: "https://ex.com/a.mp3".into(), loop_count: 1 });
        assert_eq!(doc[3], Instruction::Play { url: "https://ex.com/b.mp3".into(), loop_count: 2 });
        let Instruction::Dial(join) = &doc[4] else { panic!("{doc:?}") };
        assert_eq!(join.name, "Room & <1>");
        assert_eq!((join.beep.as_str(), join.muted), ("onExit", true));
        assert_eq!(join.participant_label.as_deref(), Some("agent \"1\""));
        assert_eq!((join.wait_method.as_str(), join.status_callback_method.as_str()), ("GET", "GET"));
        assert_eq!(doc[5], Instruction::Hangup);
    }

    #[test]
    fn a_bare_conference_gets_twilios_defaults() {
        let doc = parse("<Response><Dial>\n  <Conference>\n    room\n  </Conference>\n</Dial></Response>").unwrap();
        assert_eq!(only_join(&doc), &ConferenceJoin::named("room"));
    }

    #[test]
    fn a_redirect_reads_its_trimmed_url_and_method_defaulting_to_post() {
        let doc = parse(
            "<Response><Say>You are caller number 2.</Say><Play>http://music.example/hold.mp3</Play>\
             <Redirect method=\"POST\">https://app.example/conference/wait</Redirect></Response>",
        )
        .unwrap();
        assert_eq!(
            doc,
            vec![
                Instruction::Say { text: "You are caller number 2.".into() },
                Instruction::Play { url: "http://music.example/hold.mp3".into(), loop_count: 1 },
                Instruction::Redirect { url: "https://app.example/conference/wait".into(), method: "POST".into() },
            ]
        );
        assert_eq!(
            parse("<Response><Redirect>\n  https://app.example/next?a=1&amp;b=2\n</Redirect></Response>").unwrap(),
            vec![Instruction::Redirect { url: "https://app.example/next?a=1&b=2".into(), method: "POST".into() }]
        );
        assert_eq!(
            parse(r#"<Response><Redirect method="get">https://app.example/next</Redirect></Response>"#).unwrap(),
            vec![Instruction::Redirect { url: "https://app.example/next".into(), method: "GET".into() }]
        );
    }

    #[test]
    fn a_redirect_without_a_url_or_with_another_method_is_an_error() {
        assert_eq!(parse("<Response><Redirect/></Response>"), Err(TwimlError::EmptyRedirectUrl));
        assert_eq!(parse("<Response><Redirect>  </Redirect></Response>"), Err(TwimlError::EmptyRedirectUrl));
        assert_eq!(
            parse(r#"<Response><Redirect method="PUT">https://app.example/next</Redirect></Response>"#),
            Err(TwimlError::BadAttribute { element: "Redirect", attribute: "method", value: "PUT".into() })
        );
    }

    #[test]
    fn an_empty_response_is_an_empty_list() {
        assert_eq!(parse("<?xml version=\"1.0\"?><Response/>").unwrap(), vec![]);
    }

    #[test]
    fn unknown_verbs_and_other_dial_nouns_are_errors_not_panics() {
        assert_eq!(parse("<Response><Enqueue>q</Enqueue></Response>"), Err(TwimlError::UnknownVerb("Enqueue".into())));
        assert_eq!(parse("<Response><say>hi</say></Response>"), Err(TwimlError::UnknownVerb("say".into())));
        assert!(matches!(parse("<Response><Dial><Number>+15551230000</Number></Dial></Response>"), Err(TwimlError::UnsupportedDial(_))));
        assert!(matches!(parse("<Response><Dial>+15551230000</Dial></Response>"), Err(TwimlError::UnsupportedDial(_))));
        assert_eq!(parse("<Response><Dial><Conference> </Conference></Dial></Response>"), Err(TwimlError::EmptyConferenceName));
    }

    #[test]
    fn malformed_documents_and_bad_attributes_are_errors() {
        assert!(matches!(parse("<Response><Say>"), Err(TwimlError::Xml(_))));
        assert!(matches!(parse("hello"), Err(TwimlError::Xml(_))));
        assert_eq!(parse("<Other/>"), Err(TwimlError::NotResponse("Other".into())));
        assert!(matches!(parse(r#"<Response><Play loop="x">u</Play></Response>"#), Err(TwimlError::BadAttribute { .. })));
        assert!(matches!(
            parse(r#"<Response><Dial><Conference muted="yes">r</Conference></Dial></Response>"#),
            Err(TwimlError::BadAttribute { attribute: "muted", .. })
        ));
        assert!(matches!(
            parse(r#"<Response><Dial><Conference beep="loud">r</Conference></Dial></Response>"#),
            Err(TwimlError::BadAttribute { attribute: "beep", .. })
        ));
    }

    #[test]
    fn a_bare_gather_gets_twilios_defaults() {
        assert_eq!(
            parse("<Response><Gather/></Response>").unwrap(),
            vec![Instruction::Gather(Gather {
                dtmf: true,
                speech: false,
                action: None,
                method: "POST".into(),
                timeout_secs: 5,
                num_digits: None,
                finish_on_key: Some('#'),
                action_on_empty_result: false,
                prompts: vec![],
            })]
        );
    }

    #[test]
    fn a_gather_reads_its_attributes_and_nested_prompts() {
        let doc = parse(
            r#"<Response><Gather input="dtmf speech" action="https://app.example/menu" method="GET" timeout="3"
                 numDigits="1" finishOnKey="" actionOnEmptyResult="true"><Say>Press 1.</Say><Pause length="2"/></Gather>
               <Say>Bye.</Say></Response>"#,
        )
        .unwrap();
        let Instruction::Gather(g) = &doc[0] else { panic!("{doc:?}") };
        assert!(g.dtmf && g.speech);
        assert_eq!((g.action.as_deref(), g.method.as_str()), (Some("https://app.example/menu"), "GET"));
        assert_eq!((g.timeout_secs, g.num_digits, g.finish_on_key, g.action_on_empty_result), (3, Some(1), None, true));
        assert_eq!(g.prompts, vec![Instruction::Say { text: "Press 1.".into() }, Instruction::Pause { length_secs: 2 }]);
        assert_eq!(doc[1], Instruction::Say { text: "Bye.".into() });
        let Instruction::Gather(g) = &parse(r#"<Response><Gather input="speech"/></Response>"#).unwrap()[0] else { panic!() };
        assert!(!g.dtmf && g.speech);
    }

    #[test]
    fn a_gather_with_a_bad_input_key_or_nested_verb_is_an_error() {
        assert!(matches!(
            parse(r#"<Response><Gather input="voice"/></Response>"#),
            Err(TwimlError::BadAttribute { attribute: "input", .. })
        ));
        assert!(matches!(
            parse(r###"<Response><Gather finishOnKey="##"/></Response>"###),
            Err(TwimlError::BadAttribute { attribute: "finishOnKey", .. })
        ));
        assert_eq!(parse("<Response><Gather><Hangup/></Gather></Response>"), Err(TwimlError::NotInGather("Hangup".into())));
    }

    #[test]
    fn a_record_gets_twilios_defaults_and_reads_its_attributes() {
        let Instruction::Record(r) = &parse("<Response><Record/></Response>").unwrap()[0] else { panic!() };
        assert_eq!(r.action, None);
        assert_eq!((r.method.as_str(), r.max_length_secs, r.timeout_secs), ("POST", 3600, 5));
        assert_eq!((r.finish_on_key.as_str(), r.play_beep, r.transcribe), ("1234567890*#", true, false));
        assert_eq!(r.recording_status_callback_event, vec!["completed".to_string()]);
        let Instruction::Record(r) = &parse(
            r##"<Response><Record action="https://a.example/done" maxLength="30" timeout="10" finishOnKey="#" playBeep="false"
                 recordingStatusCallback="https://a.example/rec" recordingStatusCallbackEvent="in-progress completed"
                 transcribeCallback="https://a.example/tr"/></Response>"##,
        )
        .unwrap()[0] else {
            panic!()
        };
        assert_eq!((r.action.as_deref(), r.max_length_secs, r.timeout_secs), (Some("https://a.example/done"), 30, 10));
        assert_eq!((r.finish_on_key.as_str(), r.play_beep), ("#", false));
        assert_eq!(r.recording_status_callback.as_deref(), Some("https://a.example/rec"));
        assert_eq!(r.recording_status_callback_event, vec!["in-progress".to_string(), "completed".to_string()]);
        assert!(r.transcribe, "a transcribeCallback implies transcribe");
        assert!(matches!(parse(r#"<Response><Record finishOnKey="x"/></Response>"#), Err(TwimlError::BadAttribute { .. })));
    }
}
