//! What the phone's status line says (`#call-status`), and the Voice SDK's errors and call
//! quality warnings in words an agent acts on.

use super::machine::{Console, Phase};
use super::tab::Claim;

impl Console {
    /// The text of `#call-status`.
    pub fn status_text(&self) -> String {
        let (head, extra): (String, Vec<String>) = match &self.phase {
            Phase::Offline => ("Offline".into(), vec![]),
            Phase::Connecting { agent } => (format!("Connecting as {agent}…"), vec![]),
            Phase::Ready { agent, note } => (format!("Connected as: {agent}"), note.iter().cloned().collect()),
            Phase::Reconnecting { registering, .. } => {
                let extra = if *registering { "registering again…" } else { "no calls until it is back" };
                ("Reconnecting to Twilio…".into(), vec![extra.into()])
            }
            Phase::Ringing { answering, note, .. } => {
                let mut extra: Vec<String> = answering.then(|| "answering…".into()).into_iter().collect();
                extra.extend(note.iter().cloned());
                ("Incoming support call".into(), extra)
            }
            Phase::InCall { asking, muted, quality, reconnecting, note, .. } => {
                let mut extra: Vec<String> = muted.then(|| "muted".to_string()).into_iter().collect();
                if *reconnecting {
                    extra.push("reconnecting…".into());
                } else if !quality.is_empty() {
                    extra.push(format!("poor connection: {}", quality.iter().map(|w| quality_words(w)).collect::<Vec<_>>().join(", ")));
                }
                extra.extend(asking.iter().map(|r| format!("{}…", r.label())));
                extra.extend(note.iter().cloned());
                ("In call with customer".into(), extra)
            }
            Phase::Error { message } => (format!("ERROR: {message}"), vec![]),
            Phase::Elsewhere { note, .. } => {
                let head =
                    if self.tab == Claim::Taking { "Taking the phone over from the other tab…" } else { "Phone open in another tab" };
                (head.into(), note.iter().cloned().collect())
            }
        };
        std::iter::once(head).chain(extra).collect::<Vec<_>>().join(" · ")
    }
}

/// What went wrong, as an agent can act on it: the Voice SDK's error codes that mean something
/// to them become a sentence; any other error keeps the SDK's own message (the code itself is
/// in the browser's log).
pub fn error_words(code: Option<u32>, message: &str) -> String {
    let words = match code {
        Some(31005 | 31009) => "the connection to Twilio was lost",
        Some(31003) => "Twilio did not answer in time",
        Some(53400..=53407) => "the audio connection failed (the network or a firewall blocks it)",
        Some(31208 | 31401) => "the browser may not use the microphone: allow it in the site settings, then reconnect",
        Some(31201 | 31402) => "no microphone could be opened: check one is plugged in and not used by another program",
        Some(20104 | 31205) => "the access token expired",
        Some(20101 | 31204) => "the access token is not valid",
        _ => return message.to_string(),
    };
    words.to_string()
}

/// The SDK's call-quality warning names as an agent reads them.
pub fn quality_words(name: &str) -> &str {
    match name {
        "high-rtt" => "high delay",
        "low-mos" => "poor audio quality",
        "high-jitter" => "choppy audio",
        "high-packet-loss" | "high-packets-lost-fraction" => "audio dropping out",
        "low-bytes-received" => "no audio arriving",
        "low-bytes-sent" => "no audio leaving (check the microphone)",
        "constant-audio-input-level" => "the microphone seems silent",
        "constant-audio-output-level" => "no sound from the caller",
        "ice-connectivity-lost" => "connection lost",
        other => other,
    }
}
