//! The little an agent bot reads of the console's stream: its presence, the call it has (the
//! steps the console would enable, a transfer's stage, whether it is a voicemail), the queue's
//! length; and from the directory, which colleagues are available. Read from JSON by hand, as
//! a script would, so the bots stay clients of the wire format (`center::view`).

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// `available`, `away`, `ringing`, `on-call`, `wrap-up`, `offline`; empty before the first view.
    pub presence: String,
    /// The call a ringing or on-call presence is about.
    pub presence_call: Option<String>,
    pub call: Option<CallView>,
    pub queue_waiting: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallView {
    /// The customer's CallSid (the call's id in the app).
    pub sid: String,
    /// The steps that make sense now (`consult`, `transfer`, `complete`, `take-voicemail`…).
    pub actions: Vec<String>,
    /// A consult's stage: `ringing`, `consulting`, `with-customer`, `three-way`.
    pub stage: Option<String>,
    pub voicemail: bool,
}

impl View {
    pub fn stage(&self) -> Option<&str> {
        self.call.as_ref().and_then(|c| c.stage.as_deref())
    }
}

/// A console view (the stream's unnamed events). Read into the few fields needed, the rest
/// skipped unread: 200 bots each parsing every view whole (its recent calls' timelines too) cost
/// more than the app's making them.
pub fn parse_view(data: &str) -> Option<View> {
    #[derive(Deserialize)]
    struct Raw {
        me: Me,
        #[serde(default)]
        call: Option<RawCall>,
        #[serde(default)]
        queue: Option<Queue>,
    }
    #[derive(Deserialize)]
    struct Me {
        presence: Presence,
    }
    #[derive(Deserialize)]
    struct Presence {
        state: String,
        #[serde(default)]
        call: Option<String>,
    }
    #[derive(Deserialize)]
    struct RawCall {
        #[serde(default)]
        call: String,
        #[serde(default)]
        actions: Vec<String>,
        #[serde(default)]
        transfer: Option<Transfer>,
        #[serde(default)]
        voicemail: Option<IgnoredAny>,
    }
    #[derive(Deserialize)]
    struct Transfer {
        #[serde(default)]
        stage: Option<String>,
    }
    #[derive(Deserialize)]
    struct Queue {
        #[serde(default)]
        waiting: u64,
    }
    let raw: Raw = serde_json::from_str(data).ok()?;
    Some(View {
        presence: raw.me.presence.state,
        presence_call: raw.me.presence.call,
        call: raw.call.map(|c| CallView {
            sid: c.call,
            actions: c.actions,
            stage: c.transfer.and_then(|t| t.stage),
            voicemail: c.voicemail.is_some(),
        }),
        queue_waiting: raw.queue.map_or(0, |q| q.waiting),
    })
}

/// The presence in an agent card (what `POST /api/presence` answers).
pub fn presence_of_card(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v["presence"]["state"].as_str().map(str::to_string)
}

/// Of `colleagues`, those the directory (a JSON array of agent cards) says are available.
pub fn available(directory: &str, colleagues: &[String]) -> Vec<String> {
    let Ok(Value::Array(cards)) = serde_json::from_str::<Value>(directory) else { return Vec::new() };
    cards
        .iter()
        .filter(|c| c["presence"]["state"] == "available")
        .filter_map(|c| c["id"].as_str())
        .filter(|id| colleagues.iter().any(|c| c == id))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_gives_presence_call_steps_stage_and_queue() {
        let data = r#"{"me":{"id":"bot1","name":"Bot 1","presence":{"state":"on-call","call":"CA01"},"since":1},
            "presence_actions":[],"call":{"call":"CA01","queued_at":1,"phase":"connected","since":1,"legs":[],
            "transfer":{"by":{"id":"bot1","name":"Bot 1"},"to":"bot2","to_name":"Bot 2","note":"","stage":"consulting","since":2},
            "actions":["complete","cancel"]},"queue":{"waiting":3,"longest_since":5},"agents":[],"recent":[],"now":9}"#;
        let v = parse_view(data).unwrap();
        assert_eq!((v.presence.as_str(), v.presence_call.as_deref(), v.queue_waiting), ("on-call", Some("CA01"), 3));
        let call = v.call.as_ref().unwrap();
        assert_eq!((call.sid.as_str(), call.actions.clone(), call.voicemail), ("CA01", vec!["complete".into(), "cancel".into()], false));
        assert_eq!(v.stage(), Some("consulting"));
        let idle = parse_view(r#"{"me":{"presence":{"state":"available"}},"call":null,"queue":{"waiting":0}}"#).unwrap();
        assert_eq!((idle.presence.as_str(), idle.stage(), &idle.call), ("available", None, &None));
        assert_eq!(parse_view("not json"), None);
    }

    #[test]
    fn the_directory_gives_available_colleagues_only() {
        let dir = r#"[{"id":"bot1","presence":{"state":"available"}},{"id":"bot2","presence":{"state":"on-call","call":"CA01"}},
            {"id":"agent1","presence":{"state":"available"}},{"id":"bot3","presence":{"state":"available"}}]"#;
        let colleagues = vec!["bot2".to_string(), "bot3".to_string()];
        assert_eq!(available(dir, &colleagues), vec!["bot3".to_string()]);
        assert_eq!(presence_of_card(r#"{"id":"bot1","presence":{"state":"away","reason":"break"},"since":1}"#).as_deref(), Some("away"));
    }
}
