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

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

/// How many requests [`FaultBook::log`] keeps (the newest).
pub const LOG_KEPT: usize = 500;

/// What a matching request gets instead of being carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (400–599; anything else counts as 500) and Twilio's error body.
    Status(u16),
    /// Hold the request this long, then drop it.
    Delay(Duration),
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
    /// How the log and the monitor describe a request this fault failed.
    pub fn describe(&self) -> String {
        match self {
            Fault::Status(status) => format!("injected HTTP {}", status_of(*status)),
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
    /// The status answered; `None` while it is being handled, or when the client gave up first.
    pub status: Option<u16>,
    /// The injected fault that failed it ([`Fault::describe`]).
    pub fault: Option<String>,
}

impl ApiRequest {
    /// Failed: by an injected fault, or answered with an error status.
    pub fn failed(&self) -> bool {
        self.fault.is_some() || self.status.is_some_and(|s| s >= 400)
    }
}

/// The rules waiting to fire and the log of requests.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Vec<FaultRule>,
    log: VecDeque<ApiRequest>,
    last_id: u64,
}

impl FaultBook {
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
    pub fn arrived(&mut self, method: &str, path: &str) -> u64 {
        self.last_id += 1;
        if self.log.len() == LOG_KEPT {
            self.log.pop_front();
        }
        self.log.push_back(ApiRequest { id: self.last_id, method: method.to_string(), path: path.to_string(), status: None, fault: None });
        self.last_id
    }

    pub fn failed_by(&mut self, id: u64, fault: &Fault) {
        if let Some(entry) = self.entry(id) {
            entry.fault = Some(fault.describe());
        }
    }

    pub fn answered(&mut self, id: u64, status: u16) {
        if let Some(entry) = self.entry(id) {
            entry.status = Some(status);
        }
    }

    fn entry(&mut self, id: u64) -> Option<&mut ApiRequest> {
        self.log.iter_mut().rev().find(|e| e.id == id)
    }

    /// The newest [`LOG_KEPT`] requests, oldest first.
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
        let ok = book.arrived("GET", "/a");
        book.answered(ok, 200);
        let faulted = book.arrived("POST", "/b");
        book.failed_by(faulted, &Fault::Status(42));
        book.answered(faulted, 500);
        let dropped = book.arrived("POST", "/c");
        book.failed_by(dropped, &Fault::Delay(Duration::from_millis(1500)));
        let log = book.log();
        assert_eq!(log.iter().map(|r| (r.id, r.failed())).collect::<Vec<_>>(), [(1, false), (2, true), (3, true)]);
        assert_eq!(log[1].fault.as_deref(), Some("injected HTTP 500"));
        assert_eq!(log[2].fault.as_deref(), Some("injected delay of 1500 ms, then dropped"));
        assert_eq!(log[2].status, None);

        for _ in 0..LOG_KEPT {
            book.arrived("GET", "/more");
        }
        let log = book.log();
        assert_eq!(log.len(), LOG_KEPT);
        assert_eq!(log[0].id, 4, "the oldest make room");
    }
}
