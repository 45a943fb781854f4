//! Fault injection for the simulator's REST API, and the log of the requests it received: a test
//! makes the next N requests matching a method and a path fail, then checks how the app coped
//! (retried, gave up, told the agent) and what reached the simulator.
//!
//! A faulted request is **never applied**: nothing happens to calls or conferences.
//! - [`Fault::Status`] answers at once with that HTTP status and Twilio's JSON error body
//!   (code `20000 + status`: 20500 Internal Server Error, 20503 Service Unavailable, 20429 Too
//!   Many Requests, as Twilio numbers them).
//! - [`Fault::Delay`] holds the request for that long and then drops it, to run the client into
//!   its timeout. With real Twilio a timed-out request is ambiguous (it may or may not have been
//!   carried out); the simulator takes the side that is simplest to reason about in a test: it was
//!   not. A client that waits longer than the delay gets 504 (code 20504).
//!
//! Rules are checked in the order they were added; the first match is used up by one request and
//! forgotten once used up. Only requests that pass authentication reach the rules.
//!
//! The log keeps what a test asks about a request: its form, the account or API key it came
//! from (never the password), the status it was answered with and the SID it created.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

/// How many requests [`FaultBook::log`] keeps by default (the newest).
pub const LOG_KEPT: usize = 500;

/// What a matching request gets instead of being carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (400–599; anything else counts as 500) and Twilio's error body.
    Status(u16),
    /// Hold the request this long, then drop it.
    Delay(Duration),
    /// Answer with this HTTP status and this Twilio error code (e.g. 400 and 16027: the
    /// participant to coach is on hold), as Twilio refuses a request it understood.
    Refuse { status: u16, code: u32 },
}

/// "Fail the next `times` requests with `method` whose path contains `path_contains`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// `GET`, `POST`, `DELETE` (any case); `*` or empty for any method.
    pub method: String,
    /// A piece of the request path as the REST API sees it (`/2010-04-01/Accounts/AC…/…`), e.g.
    /// `/Participants/` (updates and removals of participants) or `/Calls.json`.
    pub path_contains: String,
    pub times: u32,
    pub fault: Fault,
}

impl FaultRule {
    pub fn new(method: &str, path_contains: &str, times: u32, fault: Fault) -> Self {
        FaultRule { method: method.to_string(), path_contains: path_contains.to_string(), times, fault }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method.is_empty() || self.method == "*" || self.method.eq_ignore_ascii_case(method);
        method_ok && path.contains(&self.path_contains)
    }
}

impl Fault {
    /// Twilio's answer to an account with too many requests in flight, for one chosen request:
    /// 429 with error 20429 ("Too Many Requests"), the very answer the simulator's own limit gives
    /// (`SimulatorConfig::max_concurrent_requests`), but deterministic.
    pub const TOO_MANY_REQUESTS: Fault = Fault::Status(429);

    /// How the log and the monitor describe a request this fault failed.
    pub fn describe(&self) -> String {
        match self {
            Fault::Status(status) => format!("injected HTTP {}", status_of(*status)),
            Fault::Refuse { status, code } => format!("injected HTTP {} (error {code})", status_of(*status)),
            Fault::Delay(d) => format!("injected delay of {} ms, then dropped", d.as_millis()),
        }
    }
}

/// The HTTP status a [`Fault::Status`] answers with.
pub fn status_of(status: u16) -> u16 {
    if (400..=599).contains(&status) {
        status
    } else {
        500
    }
}

/// One request the REST API received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiRequest {
    /// Counts from 1, in arrival order.
    pub id: u64,
    pub method: String,
    pub path: String,
    /// The form body's pairs in order, repeated keys kept.
    pub form: Vec<(String, String)>,
    /// The user of its HTTP Basic credentials (an account or API key SID), whether or not they
    /// were accepted; the password is never kept.
    pub user: Option<String>,
    /// The SID of the call the request created, if it created one.
    pub created: Option<String>,
    /// The status answered; `None` while it is being handled, or when the client gave up first.
    pub status: Option<u16>,
    /// The injected fault that failed it ([`Fault::describe`]).
    pub fault: Option<String>,
}

impl ApiRequest {
    /// The form's first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Failed: by an injected fault, or answered with an error status.
    pub fn failed(&self) -> bool {
        self.fault.is_some() || self.status.is_some_and(|s| s >= 400)
    }
}

/// The rules waiting to fire and the log of requests.
#[derive(Debug)]
pub struct FaultBook {
    rules: Vec<FaultRule>,
    log: VecDeque<ApiRequest>,
    /// How many requests the log keeps.
    kept: usize,
    last_id: u64,
}

impl Default for FaultBook {
    fn default() -> Self {
        Self::keeping(LOG_KEPT)
    }
}

impl FaultBook {
    /// A book whose log keeps the newest `kept` requests (at least one).
    pub fn keeping(kept: usize) -> Self {
        FaultBook { rules: Vec::new(), log: VecDeque::new(), kept: kept.max(1), last_id: 0 }
    }

    pub fn add(&mut self, rule: FaultRule) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for this request, if a rule matches; uses up one of that rule's times.
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let i = self.rules.iter().position(|r| r.matches(method, path))?;
        let rule = &mut self.rules[i];
        rule.times -= 1;
        let fault = rule.fault;
        if rule.times == 0 {
            self.rules.remove(i);
        }
        Some(fault)
    }

    /// A request arrived; its id for [`FaultBook::failed_by`] and [`FaultBook::answered`].
    pub fn arrived(&mut self, method: &str, path: &str, form: Vec<(String, String)>, user: Option<String>) -> u64 {
        self.last_id += 1;
        if self.log.len() == self.kept {
            self.log.pop_front();
        }
        let (method, path) = (method.to_string(), path.to_string());
        self.log.push_back(ApiRequest { id: self.last_id, method, path, form, user, created: None, status: None, fault: None });
        self.last_id
    }

    pub fn failed_by(&mut self, id: u64, fault: &Fault) {
        if let Some(entry) = self.entry(id) {
            entry.fault = Some(fault.describe());
        }
    }

    pub fn answered(&mut self, id: u64, status: u16, created: Option<String>) {
        if let Some(entry) = self.entry(id) {
            entry.status = Some(status);
            entry.created = created;
        }
    }

    fn entry(&mut self, id: u64) -> Option<&mut ApiRequest> {
        self.log.iter_mut().rev().find(|e| e.id == id)
    }

    /// The newest requests (as many as it keeps), oldest first.
    pub fn log(&self) -> Vec<ApiRequest> {
        self.log.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_fails_only_matching_requests_and_only_as_often_as_asked() {
        let mut book = FaultBook::default();
        book.add(FaultRule::new("post", "/Participants/", 2, Fault::Status(500)));
        assert_eq!(book.take("GET", "/x/Participants/CA1.json"), None, "another method");
        assert_eq!(book.take("POST", "/x/Participants.json"), None, "another path");
        assert_eq!(book.take("POST", "/x/Participants/CA1.json"), Some(Fault::Status(500)));
        assert_eq!(book.take("POST", "/x/Participants/agent1.json"), Some(Fault::Status(500)));
        assert_eq!(book.take("POST", "/x/Participants/CA1.json"), None, "used up");
    }

    #[test]
    fn rules_fire_in_the_order_they_were_added_and_can_be_cleared() {
        let mut book = FaultBook::default();
        let delay = Fault::Delay(Duration::from_secs(3));
        book.add(FaultRule::new("*", "/Calls", 1, delay));
        book.add(FaultRule::new("", "", 1, Fault::Status(503)));
        book.add(FaultRule::new("GET", "", 0, Fault::Status(429)));
        assert_eq!(book.take("POST", "/Calls.json"), Some(delay));
        assert_eq!(book.take("DELETE", "/Calls.json"), Some(Fault::Status(503)));
        assert_eq!(book.take("GET", "/Calls.json"), None, "a rule for no requests is no rule");
        book.add(FaultRule::new("GET", "", 5, Fault::Status(429)));
        book.clear();
        assert_eq!(book.take("GET", "/Calls.json"), None);
    }

    #[test]
    fn the_log_shows_each_request_how_it_was_answered_and_what_failed_it() {
        let mut book = FaultBook::default();
        let ok = book.arrived("GET", "/a", vec![], None);
        book.answered(ok, 200, None);
        let form = vec![("To".to_string(), "client:agent1".to_string())];
        let created = book.arrived("POST", "/Calls.json", form, Some("SKkey".into()));
        book.answered(created, 201, Some("CA1".into()));
        let faulted = book.arrived("POST", "/b", vec![], None);
        book.failed_by(faulted, &Fault::Status(42));
        book.answered(faulted, 500, None);
        let dropped = book.arrived("POST", "/c", vec![], None);
        book.failed_by(dropped, &Fault::Delay(Duration::from_millis(1500)));
        let log = book.log();
        assert_eq!(log.iter().map(|r| (r.id, r.failed())).collect::<Vec<_>>(), [(1, false), (2, false), (3, true), (4, true)]);
        assert_eq!(
            (log[1].get("To"), log[1].user.as_deref(), log[1].created.as_deref()),
            (Some("client:agent1"), Some("SKkey"), Some("CA1"))
        );
        assert_eq!(log[2].fault.as_deref(), Some("injected HTTP 500"));
        assert_eq!(log[3].fault.as_deref(), Some("injected delay of 1500 ms, then dropped"));
        assert_eq!(log[3].status, None);

        for _ in 0..LOG_KEPT {
            book.arrived("GET", "/more", vec![], None);
        }
        let log = book.log();
        assert_eq!(log.len(), LOG_KEPT);
        assert_eq!(log[0].id, 5, "the oldest make room");
    }

    #[test]
    fn a_book_can_keep_a_longer_log() {
        let mut book = FaultBook::keeping(2000);
        for _ in 0..1500 {
            book.arrived("POST", "/Calls.json", vec![], None);
        }
        assert_eq!(book.log().len(), 1500);
    }
}
