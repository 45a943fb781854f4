//! The roster as stored: the CLI writes accounts straight to the database while the server
//! runs, and the center learns of them as any change, through a decision.

use super::center::{Center, CenterError};
use crate::center::Command;

impl Center {
    /// Reads every account and, when the roster differs from the live state (an account added,
    /// renamed or removed), decides it: new agents join offline, and a removed one leaves once
    /// nothing of theirs is live. Consoles are redrawn as after any decision.
    pub async fn refresh_roster(&self) -> Result<(), CenterError> {
        let accounts = self.inner.store.accounts().await?;
        // Asked of the live state first (no copy of it, no transaction): mostly nothing changed.
        if !self.read(|s| s.roster_events(&accounts, true).is_empty()) {
            self.decide(Command::Roster { accounts, complete: true }).await?;
        }
        Ok(())
    }
}
