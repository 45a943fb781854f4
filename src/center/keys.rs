//! What the caller's keypad means in each menu. Twilio sends the keys pressed as text
//! (`Digits`); the edge reads them once into one of these, and the menus match on the meaning,
//! never on the text.

use crate::ids::E164;

/// The menu at the start of a call: the n-th queue's key (from 1), or a key no queue has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuKey {
    /// Queue number `n` (from 1) as it was said: "For sales, press 1."
    Queue(usize),
    /// Nothing, or no number: the answer may still be a queue's name said aloud.
    NoQueue,
}

impl MenuKey {
    pub fn parse(digits: &str) -> Self {
        match digits.trim().parse::<usize>() {
            Ok(n) if n >= 1 => MenuKey::Queue(n),
            _ => MenuKey::NoQueue,
        }
    }

    /// The queue's place in the configured list (from 0).
    pub fn index(self) -> Option<usize> {
        match self {
            MenuKey::Queue(n) => Some(n - 1),
            MenuKey::NoQueue => None,
        }
    }
}

/// The callback offer: 1, call me back; 2, leave a message; anything else, keep waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferKey {
    CallMeBack,
    LeaveMessage,
    KeepWaiting,
}

impl OfferKey {
    pub fn parse(digits: &str) -> Self {
        match digits.trim() {
            "1" => OfferKey::CallMeBack,
            "2" => OfferKey::LeaveMessage,
            _ => OfferKey::KeepWaiting,
        }
    }
}

/// The number to call back: 1 for the caller's own, or one typed (country code first, then `#`,
/// which Twilio may send along).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberKeys {
    OwnNumber,
    Typed(E164),
    /// Typed, but no number we can call.
    Unusable,
}

impl NumberKeys {
    pub fn parse(digits: &str) -> Self {
        let digits = digits.trim().trim_end_matches('#');
        if digits == "1" {
            return NumberKeys::OwnNumber;
        }
        match E164::parse(&format!("+{digits}")) {
            Ok(number) => NumberKeys::Typed(number),
            Err(_) => NumberKeys::Unusable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_menu_reads_the_keys_once_into_their_meaning() {
        assert_eq!(MenuKey::parse(" 2 ").index(), Some(1));
        assert_eq!([MenuKey::parse("0"), MenuKey::parse(""), MenuKey::parse("*")], [MenuKey::NoQueue; 3]);
        assert_eq!(MenuKey::parse("12"), MenuKey::Queue(12), "a key past the last queue is no queue's, decided by the menu");
        assert_eq!([OfferKey::parse("1"), OfferKey::parse("2 ")], [OfferKey::CallMeBack, OfferKey::LeaveMessage]);
        assert_eq!([OfferKey::parse("3"), OfferKey::parse(""), OfferKey::parse("#")], [OfferKey::KeepWaiting; 3]);
        assert_eq!(NumberKeys::parse("1#"), NumberKeys::OwnNumber);
        assert_eq!(NumberKeys::parse("14155550100#"), NumberKeys::Typed(E164::parse("+14155550100").unwrap()));
        assert_eq!([NumberKeys::parse(""), NumberKeys::parse("12*")], [NumberKeys::Unusable, NumberKeys::Unusable]);
    }
}
