//! The outside world's phones: what a call to a phone number (not a browser) does, so a test can
//! dial out (a blind transfer to a mobile, a consult with a supplier) and know what will happen.
//!
//! A `To` is either a browser (`client:{identity}`, rung through a simulated Device and answered,
//! rejected or left ringing by whoever drives it) or an E.164 number (`+` and 8 to 15 digits).
//! Numbers behave by this book, with no one to drive them:
//!
//! | number | what happens |
//! | --- | --- |
//! | [`BUSY`] `+15005550010` | rings [`RING_SECS`], then ends `busy` |
//! | [`NO_ANSWER`] `+15005550011` | rings until the call's `Timeout`, then ends `no-answer` |
//! | [`UNREACHABLE`] `+15005550012` | ends `failed` at once (after `initiated`, before ringing) |
//! | any other number | rings [`RING_SECS`], then answers by itself and runs the call's `Url` TwiML |
//! | a number an open `/phone` page holds (any of the above) | rings on that page: answering runs the call's `Url` TwiML, declining ends it `busy`, nobody answering ends it `no-answer` at the call's `Timeout` |
//!
//! The last row is not this book's: a page holds its own number while open (see
//! [`held_numbers`](super::held_numbers)), and the hold is checked when the call starts ringing.
//!
//! An answered number stays on the line until something hangs it up: the simulator's `hangup`,
//! `POST Calls/{CA}.json Status=completed`, or its document ending (after being removed from a
//! conference, or the conference ending, as Twilio carries on after `<Dial>`).
//!
//! A call's `Timeout` still applies: a number that would answer or be busy after [`RING_SECS`]
//! gets `no-answer` if the timeout is that short or shorter.

/// Busy: rings for [`RING_SECS`], then the call ends `busy`.
pub const BUSY: &str = "+15005550010";
/// Nobody picks up: rings until the call's `Timeout`, then `no-answer`.
pub const NO_ANSWER: &str = "+15005550011";
/// Unreachable: the call fails at once.
pub const UNREACHABLE: &str = "+15005550012";
/// How long a number rings before it answers or is found busy (whole seconds of simulated time).
pub const RING_SECS: u64 = 1;

/// What the phone at a number does with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callee {
    /// Answers by itself after [`RING_SECS`].
    Answers,
    /// Busy after [`RING_SECS`].
    Busy,
    /// Rings until the call's `Timeout`.
    NeverAnswers,
    /// Fails at once.
    Unreachable,
}

/// The phone at `to`, if `to` is an E.164 number.
pub fn callee(to: &str) -> Option<Callee> {
    if !is_e164(to) {
        return None;
    }
    Some(match to {
        BUSY => Callee::Busy,
        NO_ANSWER => Callee::NeverAnswers,
        UNREACHABLE => Callee::Unreachable,
        _ => Callee::Answers,
    })
}

/// `+` and 8 to 15 digits (E.164 as Twilio wants it: no spaces, dashes or brackets).
pub fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// A `To` Twilio can dial here: a browser (`client:` and a non-empty identity) or a number.
pub fn is_dialable(to: &str) -> bool {
    to.strip_prefix("client:").map_or_else(|| is_e164(to), |identity| !identity.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plus_and_8_to_15_digits() {
        for ok in ["+15551230000", "+12345678", "+123456789012345", BUSY, NO_ANSWER, UNREACHABLE] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in
            ["", "+", "15551230000", "+1234567", "+1234567890123456", "+1555 123 0000", "+1555-123-0000", "client:agent1", "++15551230"]
        {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn the_book_names_three_numbers_and_every_other_number_answers() {
        assert_eq!(callee(BUSY), Some(Callee::Busy));
        assert_eq!(callee(NO_ANSWER), Some(Callee::NeverAnswers));
        assert_eq!(callee(UNREACHABLE), Some(Callee::Unreachable));
        assert_eq!(callee("+15551230000"), Some(Callee::Answers));
        assert_eq!(callee("+15005550013"), Some(Callee::Answers));
        assert_eq!(callee("client:agent1"), None);
        assert_eq!(callee("5551230000"), None);
    }

    #[test]
    fn browsers_and_numbers_are_dialable_nothing_else_is() {
        for ok in ["client:agent1", "client:a b", "+15551230000"] {
            assert!(is_dialable(ok), "{ok}");
        }
        for bad in ["client:", "client: ", "agent1", "sip:agent@example.com", "5551230000", "+1 555 123 0000", "tel:+15551230000"] {
            assert!(!is_dialable(bad), "{bad}");
        }
    }
}
