//! How facts are written: what their stored JSON leaves out, and the words for how a leg ended
//! (what each feature's words share).

use super::super::call::LegOutcome;
use super::super::party::Party;

pub(super) fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// How a call to a number (not an agent's browser) ended.
pub(super) fn phone_words(outcome: LegOutcome) -> &'static str {
    match outcome {
        LegOutcome::Busy => "busy",
        _ => outcome.words(),
    }
}

pub(super) fn party_words(party: &Party, outcome: LegOutcome) -> &'static str {
    // Twilio reports a browser's decline as `busy`; an agent's browser is never busy otherwise
    // (routing rings no one who is on a call), so for an agent it means they declined.
    match (party, outcome) {
        (Party::Agent(_), LegOutcome::Busy) => "declined",
        (Party::Phone(_), LegOutcome::Busy) => "busy",
        _ => outcome.words(),
    }
}
