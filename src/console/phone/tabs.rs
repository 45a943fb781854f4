//! One phone among the agent's tabs: a tab asks the others before registering, the holder
//! answers, a tab may take the phone over (never during a call), and a holder gone without a
//! word is found by a periodic look. The signals are `tab`'s.
use super::machine::{Console, Input, Phase, Task};
use super::tab::{Claim, TabSignal, ASK_MS, TAKE_MS, WATCH_MS};

impl Console {
    /// What the other tabs say, the tab timers, and taking the phone over.
    pub(super) fn on_tab(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        use Phase as P;
        use Task as F;

        match (&mut self.phase, input) {
            // --- one phone among the agent's tabs ----------------------------------------------------
            (phase, E::TabHeard { from, earlier, signal }) => {
                let busy = matches!(phase, P::Ringing { .. } | P::InCall { .. });
                match (self.tab, signal) {
                    (Claim::Holding, TabSignal::Ask) => vec![F::PostTab(TabSignal::Held { busy })],
                    // Two tabs starting together: the earlier id claims it, the later waits.
                    (Claim::Asking, TabSignal::Ask) if !earlier => vec![F::PostTab(TabSignal::Held { busy: false })],
                    // Answering a periodic look, the holder says whether a refusal still stands.
                    (Claim::Asking, TabSignal::Held { busy }) => {
                        let note = match phase {
                            P::Elsewhere { note, .. } if busy => note.clone(),
                            _ => None,
                        };
                        self.elsewhere(note)
                    }
                    (Claim::Holding, TabSignal::Take) if busy => vec![F::PostTab(TabSignal::Refused { to: from })],
                    (Claim::Holding, TabSignal::Take) => {
                        let mut tasks = self.elsewhere(Some("Phone moved to another tab".into()));
                        tasks.extend([F::DestroyDevice, F::PostTab(TabSignal::Released { to: Some(from) })]);
                        tasks
                    }
                    (Claim::Taking, TabSignal::Released { .. }) => self.take_phone(),
                    // The holder's page closed: the remaining tabs settle who takes the phone.
                    (Claim::Elsewhere, TabSignal::Released { to: None }) => self.claim(Claim::Asking),
                    (Claim::Taking, TabSignal::Refused { .. }) => {
                        self.elsewhere(Some("The other tab is on a call: take the phone over once it ends".into()))
                    }
                    _ => vec![],
                }
            }
            // No tab answered: this one holds the phone (the holder, if any, has gone quiet).
            (_, E::TabTimerFired(seq)) if seq == self.tab_timer && matches!(self.tab, Claim::Asking | Claim::Taking) => self.take_phone(),
            // Time to look again whether the holder is still there.
            (_, E::TabTimerFired(seq)) if seq == self.tab_timer && self.tab == Claim::Elsewhere => self.claim(Claim::Asking),
            (P::Elsewhere { note, .. }, E::TakeOverClicked) if self.tab != Claim::Taking => {
                *note = None;
                self.claim(Claim::Taking)
            }
            (_, E::PageClosing) if self.tab == Claim::Holding => vec![F::PostTab(TabSignal::Released { to: None })],

            // Anything else is a stale or impossible event (a dial result after the call ended,
            // a click on a disabled button): ignored, so late answers cannot corrupt the state.
            _ => vec![],
        }
    }
    /// Asks the other tabs (`Asking`) or the holder (`Taking`), with a timer for their answer.
    pub(super) fn claim(&mut self, claim: Claim) -> Vec<Task> {
        self.tab = claim;
        self.tab_timer += 1;
        let (signal, ms) = if claim == Claim::Taking { (TabSignal::Take, TAKE_MS) } else { (TabSignal::Ask, ASK_MS) };
        vec![Task::PostTab(signal), Task::StartTabTimer { ms, seq: self.tab_timer }]
    }

    /// This tab holds the phone now: connect it.
    pub(super) fn take_phone(&mut self) -> Vec<Task> {
        self.tab = Claim::Holding;
        self.tab_timer += 1;
        match (&self.phase, self.me.clone()) {
            (Phase::Connecting { agent }, _) => vec![Task::FetchToken(agent.clone())],
            (Phase::Elsewhere { .. }, Some(agent)) => self.connect(agent),
            _ => vec![],
        }
    }

    /// Another tab holds the phone. Its presence is the agent's: this tab announces nothing
    /// when it takes the phone later.
    pub(super) fn elsewhere(&mut self, note: Option<String>) -> Vec<Task> {
        self.tab = Claim::Elsewhere;
        self.tab_timer += 1;
        self.registered = false;
        self.refreshing_token = false;
        self.announced = true;
        if let Some(agent) = self.me.clone() {
            self.phase = Phase::Elsewhere { agent, note };
        }
        vec![Task::StartTabTimer { ms: WATCH_MS, seq: self.tab_timer }]
    }

    /// Another tab holds the phone and it may be asked for ("Use the phone here").
    pub fn can_take_over(&self) -> bool {
        matches!(self.phase, Phase::Elsewhere { .. }) && self.tab != Claim::Taking
    }
}
