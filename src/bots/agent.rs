//! One agent bot: a person at the console, through what their browser sends. It signs in, holds
//! the console's stream (`GET /api/stream`) and its phone's feed (`/simulator/events`), makes
//! itself available, answers a ring after its delay, talks, sometimes consults a colleague (then
//! completes or cancels the transfer) or sends the caller back to the queue, hangs up from its
//! phone, lets its wrap-up run or ends it early, takes a voicemail offered on the console, takes
//! breaks. It counts what it saw, above all a second offer while a call is live (must be 0).
//!
//! Both streams are read by tasks of their own into one channel; the bot's steps are a plain
//! script that waits on that channel ([`AgentBot::wait_while`]), so every event is counted
//! whatever the bot is doing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::board::Board;
use super::feeds::{self, Msg};
use super::http::{send, Browser, Failure, SseEvent};
use super::plan::{AgentDraws, Transfer};
use super::report::AgentReport;
use super::view::{self, View};

/// How long the bot holds a leg its console says it is not on before asking the simulator.
const LEG_CHECK_AFTER: Duration = Duration::from_secs(3);
/// How long a consult's colleague may take to answer before the bot stops waiting for it.
const CONSULT_ANSWER_WAIT: Duration = Duration::from_secs(45);
/// How long the app may take to take the bot off a call it handed on.
const HAND_OVER_WAIT: Duration = Duration::from_secs(10);

/// One of the bot's phone legs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leg {
    Ringing,
    Answered,
}

pub struct AgentBot {
    browser: Browser,
    sim: String,
    draws: AgentDraws,
    /// The other bots of the run: whom it consults (never the people beside it).
    colleagues: Vec<String>,
    board: Arc<Board>,
    stop: watch::Receiver<bool>,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    legs: HashMap<String, Leg>,
    view: View,
    /// The directory as last sent (every agent's card): read only when the bot consults, since
    /// 200 bots each reading 200 cards at every presence change cost more than the app did.
    directory: Arc<parking_lot::Mutex<String>>,
    /// A transfer was seen on the call since the bot last asked for one.
    transfer_seen: bool,
    last_console_event: Option<Instant>,
    /// When the phone last rang for a call it did not have (the offer latency ends there).
    ring_at: Option<Instant>,
    /// A presence change asked for and not yet seen on the console: when, and the presence the
    /// console showed before (any other one shows the change went through).
    change: Option<(Instant, String)>,
    report: AgentReport,
}

impl AgentBot {
    pub fn new(
        browser: Browser,
        sim: &str,
        draws: AgentDraws,
        colleagues: Vec<String>,
        board: Arc<Board>,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let report = AgentReport { id: browser.identity().to_string(), ..AgentReport::default() };
        AgentBot {
            browser,
            sim: sim.trim_end_matches('/').to_string(),
            draws,
            colleagues,
            board,
            stop,
            tx,
            rx,
            legs: HashMap::new(),
            view: View::default(),
            directory: Arc::default(),
            transfer_seen: false,
            last_console_event: None,
            ring_at: None,
            change: None,
            report,
        }
    }

    pub async fn run(mut self) -> AgentReport {
        if let Err(e) = self.sign_in().await {
            self.error("sign-in", &e);
            self.board.set_ready(self.browser.identity());
            return self.report;
        }
        let readers = [
            feeds::read_console(self.browser.clone(), self.board.clone(), self.directory.clone(), self.tx.clone()),
            feeds::read_phone(self.browser.clone(), &self.sim, self.tx.clone()),
        ];
        // The console's first view, then available, as the console does once its phone registered.
        self.wait_while(|s| s.view.presence.is_empty(), Instant::now() + Duration::from_secs(15)).await;
        let _ = self.presence("available").await;
        self.board.set_ready(self.browser.identity());
        self.work().await;
        if let Err(e) = self.browser.call("sign_out", &[]).await {
            self.error("sign-out", &e);
        }
        readers.iter().for_each(|r| r.abort());
        self.report
    }

    async fn sign_in(&self) -> Result<(), Failure> {
        let mut tries = 0;
        loop {
            match self.browser.sign_in().await {
                Err(e) if e.status.is_none_or(|s| s >= 500) && tries < 5 => tries += 1,
                other => return other,
            }
            tokio::time::sleep(Duration::from_secs(1 << tries)).await;
        }
    }

    /// Until told to stop (and then once idle): calls, voicemails, wrap-ups, breaks.
    async fn work(&mut self) {
        let mut next_break = self.draws.next_break().map(|d| Instant::now() + d);
        // The end of this wrap-up, when the bot ends it early; drawn once per wrap-up.
        let (mut wrap_end, mut in_wrap_up) = (None::<Instant>, false);
        // Since when the bot has held a leg while its console says it is on no call.
        let mut held_alone = None::<Instant>;
        loop {
            if let Some(leg) = self.legs.iter().find(|(_, l)| **l == Leg::Ringing).map(|(sid, _)| sid.clone()) {
                self.take_call(leg).await;
                continue;
            }
            if self.voicemail_offered() {
                self.take_voicemail().await;
                continue;
            }
            let stopping = *self.stop.borrow();
            if stopping && !self.busy() {
                return;
            }
            let now = Instant::now();
            if self.view.presence != "wrap-up" {
                (wrap_end, in_wrap_up) = (None, false);
            }
            match self.view.presence.as_str() {
                "wrap-up" if !in_wrap_up => {
                    in_wrap_up = true;
                    wrap_end = self.draws.wrap_up().map(|d| now + d);
                }
                "wrap-up" if wrap_end.is_some_and(|t| t <= now) => {
                    wrap_end = None;
                    if self.presence("available").await.is_ok() {
                        self.report.wrap_ups_ended_early += 1;
                    }
                }
                // Not on a break (breaks are taken below, start to end): a missed call or a lost
                // phone made it away or offline. Back after a moment, as a person would.
                "away" | "offline" if !stopping => {
                    let pause = self.draws.pause();
                    self.wait_while(|s| s.legs.is_empty(), Instant::now() + pause).await;
                    if matches!(self.view.presence.as_str(), "away" | "offline") && self.presence("available").await.is_ok() {
                        self.report.came_back += 1;
                    }
                }
                "available" if !stopping && next_break.is_some_and(|t| t <= now) => {
                    self.take_break().await;
                    next_break = self.draws.next_break().map(|d| Instant::now() + d);
                }
                _ => {}
            }
            // The console says this agent is on no call, yet the bot holds a leg: the phone's word
            // that it ended is late (or lost, under load). After a few seconds the simulator is
            // asked, so a forgotten leg never keeps the bot busy.
            if !self.legs.is_empty() && !matches!(self.view.presence.as_str(), "ringing" | "on-call") {
                if now.duration_since(*held_alone.get_or_insert(now)) >= LEG_CHECK_AFTER {
                    self.look_up_legs().await;
                    held_alone = None;
                }
            } else {
                held_alone = None;
            }
            let soonest = [wrap_end, next_break, Some(Instant::now() + Duration::from_secs(1))].into_iter().flatten().min();
            self.next_msg(soonest).await;
        }
    }

    /// Answers a ring after its delay, talks, maybe hands the call on, and hangs up.
    async fn take_call(&mut self, leg: String) {
        let plan = self.draws.call();
        if !self.wait_while(|s| s.legs.get(&leg) == Some(&Leg::Ringing), Instant::now() + plan.answer_after).await {
            return;
        }
        // The call it rings for, as the console says (the customer's CallSid).
        let customer = self.view.call.as_ref().map(|c| c.sid.clone()).or(self.view.presence_call.clone());
        match send(self.browser.http.post(format!("{}/simulator/calls/{leg}/answer", self.sim))).await {
            Ok(_) => {
                self.legs.insert(leg.clone(), Leg::Answered);
                self.report.answered += 1;
                if let Some(call) = customer {
                    self.board.answered(&call);
                }
            }
            Err(e) => {
                self.legs.remove(&leg);
                self.tell_board();
                if e.is_not_now() {
                    self.report.answered_too_late += 1;
                } else {
                    self.error("answer", &e);
                }
                return;
            }
        }
        let start = Instant::now();
        if let Some(transfer) = plan.transfer {
            if !self.wait_while(|s| s.leg_live(&leg), start + plan.talk / 2).await {
                return;
            }
            let off_the_call = match transfer {
                Transfer::BlindToQueue => self.blind_to_queue(&leg).await,
                Transfer::Consult { complete, talk_millis } => self.consult(&leg, complete, Duration::from_millis(talk_millis)).await,
            };
            if off_the_call {
                return;
            }
        }
        if self.wait_while(|s| s.leg_live(&leg), start + plan.talk).await {
            self.hang_up(&leg).await;
        }
    }

    /// Back to the queue, blind; whether the bot is off the call.
    async fn blind_to_queue(&mut self, leg: &str) -> bool {
        if !self.can("transfer") {
            return false;
        }
        if self.step(&[("action", "transfer"), ("to", "queue")]).await.is_err() {
            return false;
        }
        self.report.blind_transfers += 1;
        self.leave(leg).await;
        true
    }

    /// Consults an available colleague, talks with them, then completes or cancels; whether the
    /// bot is off the call.
    async fn consult(&mut self, leg: &str, complete: bool, talk: Duration) -> bool {
        if !self.can("consult") {
            return false;
        }
        let available = view::available(&self.directory.lock(), &self.colleagues);
        if available.is_empty() {
            self.report.consults_skipped += 1;
            return false;
        }
        let to = available[self.draws.pick(available.len())].clone();
        self.transfer_seen = false;
        if self.step(&[("action", "consult"), ("to", &to), ("note", "a bot's consult")]).await.is_err() {
            return false;
        }
        self.report.consults += 1;
        // Until the colleague answers, or the consult is over (no answer, declined, gone).
        let given_up = |s: &Self| s.transfer_seen && s.view.stage().is_none();
        let deadline = Instant::now() + CONSULT_ANSWER_WAIT;
        self.wait_while(|s| s.leg_live(leg) && s.view.stage() != Some("consulting") && !given_up(s), deadline).await;
        if self.view.stage() != Some("consulting") {
            self.report.consults_failed += 1;
            return !self.leg_live(leg);
        }
        if !self.wait_while(|s| s.leg_live(leg) && s.view.stage().is_some(), Instant::now() + talk).await {
            return !self.leg_live(leg);
        }
        let action = if complete { "complete" } else { "cancel" };
        if self.step(&[("action", action)]).await.is_err() {
            return false;
        }
        if complete {
            self.report.consults_completed += 1;
            self.leave(leg).await;
            return true;
        }
        self.report.consults_cancelled += 1;
        false
    }

    /// The call was handed on: the app takes the bot's leg off it; hung up if it does not.
    async fn leave(&mut self, leg: &str) {
        if self.wait_while(|s| s.leg_live(leg), Instant::now() + HAND_OVER_WAIT).await {
            self.hang_up(leg).await;
        }
    }

    /// The console's "Hang up": the phone ends its leg.
    async fn hang_up(&mut self, leg: &str) {
        match send(self.browser.http.post(format!("{}/simulator/calls/{leg}/hangup", self.sim))).await {
            Ok(_) => self.report.hung_up += 1,
            Err(e) if e.is_not_now() => {}
            Err(e) => self.error("hang up", &e),
        }
        self.legs.remove(leg);
        self.tell_board();
    }

    /// A voicemail offered on the console (no phone rings): take it, listen, mark it done.
    async fn take_voicemail(&mut self) {
        if !self.legs.is_empty() && self.wait_while(|s| !s.legs.is_empty(), Instant::now() + Duration::from_secs(2)).await {
            self.report.double_offers += 1;
            tracing::warn!(agent = %self.report.id, "a voicemail was offered to a bot on a call");
        }
        let pause = self.draws.pause();
        if !self.wait_while(|s| s.voicemail_offered(), Instant::now() + pause).await {
            return;
        }
        if self.step(&[("action", "take-voicemail")]).await.is_err() {
            // Whatever it was, not at once again.
            self.wait_while(|_| true, Instant::now() + Duration::from_secs(1)).await;
            return;
        }
        self.report.voicemails += 1;
        let listen = self.draws.pause() * 2;
        self.wait_while(|_| true, Instant::now() + listen).await;
        let _ = self.step(&[("action", "voicemail-done")]).await;
    }

    async fn take_break(&mut self) {
        if self.presence("away").await.is_err() {
            return;
        }
        self.report.breaks += 1;
        let end = Instant::now() + self.draws.break_length();
        self.wait_while(|s| !*s.stop.borrow(), end).await;
        let _ = self.presence("available").await;
    }

    /// `POST /api/presence`; the answer is the bot's presence now (the stream follows).
    async fn presence(&mut self, status: &str) -> Result<(), Failure> {
        self.change = Some((Instant::now(), self.view.presence.clone()));
        match self.browser.call("presence", &[("status", status)]).await {
            Ok(body) => {
                if let Some(state) = view::presence_of_card(&body) {
                    self.view.presence = state;
                }
                Ok(())
            }
            Err(e) => {
                self.change = None;
                Err(self.refused("presence", e))
            }
        }
    }

    /// A step on the call (`POST /api/transfer`), as the console's transfer panel takes it.
    async fn step(&mut self, form: &[(&str, &str)]) -> Result<(), Failure> {
        match self.browser.call("transfer", form).await {
            Ok(_) => Ok(()),
            Err(e) => Err(self.refused(form.first().map_or("step", |(_, a)| *a), e)),
        }
    }

    /// A refusal (409: not now, a race with the server) is counted apart from errors.
    fn refused(&mut self, what: &str, e: Failure) -> Failure {
        if e.is_not_now() {
            self.report.steps_refused += 1;
        } else {
            self.error(what, &e);
        }
        e
    }

    fn error(&mut self, what: &str, e: &Failure) {
        tracing::warn!(agent = %self.report.id, %what, error = %e, "agent bot");
        self.report.error(format!("{what}: {e}"));
    }

    fn can(&self, action: &str) -> bool {
        self.view.call.as_ref().is_some_and(|c| c.actions.iter().any(|a| a == action))
    }

    fn leg_live(&self, leg: &str) -> bool {
        self.legs.contains_key(leg)
    }

    /// Tells the board whether this agent is busy now: on every console view, and whenever a
    /// leg ends (no view may follow: the server had nothing new to say), so that "drained" is
    /// never held back by a leg the bot forgot only after its last view.
    fn tell_board(&self) {
        self.board.agent_now(&self.report.id, self.busy(), self.view.queue_waiting, &self.view.presence);
    }

    fn busy(&self) -> bool {
        !self.legs.is_empty() || matches!(self.view.presence.as_str(), "ringing" | "on-call")
    }

    fn voicemail_offered(&self) -> bool {
        self.view.presence == "ringing" && self.view.call.as_ref().is_some_and(|c| c.voicemail) && self.can("take-voicemail")
    }

    /// Handles messages until `pred` is false (answers false) or `deadline` (answers true).
    async fn wait_while(&mut self, pred: impl Fn(&Self) -> bool, deadline: Instant) -> bool {
        loop {
            if !pred(self) {
                return false;
            }
            if Instant::now() >= deadline {
                return true;
            }
            self.next_msg(Some(deadline)).await;
        }
    }

    async fn next_msg(&mut self, deadline: Option<Instant>) {
        let deadline = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        if let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            self.apply(msg).await;
        }
    }

    async fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Console(at, event) => {
                if let Some(last) = self.last_console_event {
                    self.report.longest_console_silence_ms = self.report.longest_console_silence_ms.max((at - last).as_millis() as u64);
                }
                self.last_console_event = Some(at);
                self.report.console_events += 1;
                // A view (the directory is kept apart by the feed, see `feeds::read_console`).
                if let (None, Some(data)) = (event.name.as_deref(), event.data) {
                    if let Some(v) = view::parse_view(&data) {
                        self.view = v;
                        self.transfer_seen |= self.view.stage().is_some();
                        self.tell_board();
                        self.offer_seen();
                        // The change asked of one instance, seen on this console's stream.
                        if self.change.as_ref().is_some_and(|(_, before)| *before != self.view.presence) {
                            if let Some((sent, _)) = self.change.take() {
                                let ms = at.saturating_duration_since(sent).as_secs_f64() * 1000.0;
                                self.board.series.lock().change_seen(ms);
                            }
                        }
                    }
                }
            }
            Msg::Phone(event) => {
                if let Some((ring, others)) = self.phone_event(event) {
                    self.second_ring(ring, others).await;
                }
            }
            Msg::PhoneReopened => self.look_up_legs().await,
        }
    }

    /// The phone rang and the console says for which caller: the offer reached this agent (the
    /// two arrive in either order; the ring's time counts).
    fn offer_seen(&mut self) {
        // Only while the phone rings: an older ring's time is not this offer's.
        if self.view.presence != "ringing" || !self.legs.values().any(|l| *l == Leg::Ringing) {
            return;
        }
        if let (Some(call), Some(at)) = (self.view.presence_call.as_deref(), self.ring_at) {
            self.board.rung(call, at);
        }
    }

    /// `Some((ring, others))`: it rang while the bot counted other legs live, to be checked.
    fn phone_event(&mut self, event: SseEvent) -> Option<(String, Vec<String>)> {
        let v = event.data.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())?;
        let sid = v["call_sid"].as_str().map(str::to_string)?;
        match v["type"].as_str() {
            Some("ring") if !self.legs.contains_key(&sid) => {
                self.report.offers += 1;
                self.ring_at = Some(Instant::now());
                let others: Vec<String> = self.legs.keys().cloned().collect();
                self.legs.insert(sid.clone(), Leg::Ringing);
                self.offer_seen();
                return (!others.is_empty()).then_some((sid, others));
            }
            Some("stop-ringing") if self.legs.get(&sid) == Some(&Leg::Ringing) => {
                self.legs.remove(&sid);
                self.tell_board();
                self.report.rings_withdrawn += 1;
            }
            Some("call-ended") => {
                self.legs.remove(&sid);
                self.tell_board();
            }
            _ => {}
        }
        None
    }

    /// The phone rang while the bot counted another leg live: a double offer only if Twilio
    /// (the simulator) still has that leg live now; otherwise the phone's feed had not yet said
    /// it ended (its events and the rings travel apart under load), and the leg is forgotten.
    async fn second_ring(&mut self, ring: String, others: Vec<String>) {
        let mut live = Vec::new();
        for leg in others {
            let url = format!("{}/simulator/calls/{leg}", self.sim);
            let status = match send(self.browser.http.get(url)).await {
                Ok(body) => serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v["status"].as_str().map(str::to_string)),
                Err(_) => None,
            };
            match status.as_deref() {
                Some("queued" | "ringing" | "in-progress") => live.push((leg, status)),
                // Over (or forgotten, long over): the feed's word was late.
                _ => {
                    self.legs.remove(&leg);
                    self.tell_board();
                    self.report.late_ends += 1;
                }
            }
        }
        if !live.is_empty() {
            self.report.double_offers += 1;
            tracing::warn!(agent = %self.report.id, %ring, live = ?live, "a bot's phone rang for a second call while another was live");
        }
    }

    /// The feed was gone a while: each leg it knows is looked up, and the ended ones forgotten.
    async fn look_up_legs(&mut self) {
        let legs: Vec<String> = self.legs.keys().cloned().collect();
        for leg in legs {
            let url = format!("{}/simulator/calls/{leg}", self.sim);
            let live = match send(self.browser.http.get(url)).await {
                Ok(body) => serde_json::from_str::<serde_json::Value>(&body)
                    .is_ok_and(|v| matches!(v["status"].as_str(), Some("queued" | "ringing" | "in-progress"))),
                Err(e) => !e.is_not_now(),
            };
            if !live {
                self.legs.remove(&leg);
                self.tell_board();
            }
        }
    }
}
