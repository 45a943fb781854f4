//! After a decision: the change of who is held (and who was removed) in each touched call,
//! compared participant by participant, becomes one `Arrange` effect per call. Holds and
//! removals come first, then unholds, so no one hears what they should not.

use super::decide::Decider;
use super::effect::{Effect, Move};
use super::party::Who;

impl Decider<'_> {
    pub(super) fn arrange(&mut self) {
        let before = std::mem::take(&mut self.before);
        let removals = std::mem::take(&mut self.removals);
        for (sid, was) in before {
            let Some(c) = self.state.calls.get(&sid) else { continue };
            // A retry asks again for every hold the call should have.
            let full = self.full.contains(&sid);
            let was_held = |who: &Who| was.iter().any(|(w, held)| w == who && held.is_some());
            let mut moves = Vec::new();
            for p in &c.parties {
                if let Some(music) = p.held.filter(|_| full || !was_held(&p.who)) {
                    moves.push(Move::Hold { who: p.who.clone(), music });
                }
            }
            // Every removal follows an event on its call, so its call is one of these.
            moves.extend(removals.iter().filter(|(call, _)| *call == sid).map(|(_, who)| Move::Remove { who: who.clone() }));
            for p in &c.parties {
                let unhold = p.held.is_none() && p.joined && (was_held(&p.who) || (full && p.role.holdable()));
                if unhold {
                    moves.push(Move::Unhold { who: p.who.clone() });
                }
            }
            if !moves.is_empty() {
                self.effect(Effect::Arrange { call: sid, moves });
            }
        }
    }
}
