//! What one committed decision changed, as the other instances learn it (PostgreSQL's NOTIFY
//! payload): from it they bring their copy from the version before to this one without reading
//! the whole state. Every change to the live state is a row the decision writes, so the rows
//! named here are all that differ.

use crate::ids::AgentId;
use crate::store::state::Rows;

/// The PostgreSQL channel that carries new versions between instances.
pub(super) const CHANNEL: &str = "wt_center";

/// A NOTIFY payload must stay under 8000 bytes.
const MAX_LEN: usize = 7900;

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "k", rename_all = "kebab-case")]
pub(super) enum Announcement {
    /// Only these agents' leases were renewed, to `until`: applied as they are, nothing read.
    Seen { v: i64, until: i64, agents: Vec<String> },
    /// These agents' rows (every agent's with `None`) and these calls' rows changed: read again.
    Rows { v: i64, agents: Option<Vec<String>>, calls: Vec<String> },
    /// Anything may have changed: the whole state is read again.
    Full { v: i64 },
}

impl Announcement {
    /// The payload for `version`: the renewals when that is all it did, else the rows written;
    /// less precise (and longer to follow) when that would not fit.
    pub(super) fn of(version: i64, renewals: Option<&(i64, Vec<AgentId>)>, rows: &Rows) -> String {
        let calls: Vec<String> = rows.live_calls.iter().map(|c| c.0.clone()).chain(rows.ended_calls.iter().map(|c| c.0.clone())).collect();
        let mut tries = Vec::with_capacity(3);
        if let Some((until, agents)) = renewals {
            tries.push(Announcement::Seen { v: version, until: *until, agents: agents.iter().map(|a| a.to_string()).collect() });
        } else {
            let agents = rows.agents.iter().map(|a| a.0.clone()).chain(rows.accounts.iter().cloned()).collect();
            tries.push(Announcement::Rows { v: version, agents: Some(agents), calls: calls.clone() });
        }
        // Too long: every agent is read again, then everything.
        tries.push(Announcement::Rows { v: version, agents: None, calls });
        tries.push(Announcement::Full { v: version });
        tries
            .iter()
            .filter_map(|n| serde_json::to_string(n).ok())
            .find(|json| json.len() <= MAX_LEN)
            .unwrap_or_else(|| format!(r#"{{"k":"full","v":{version}}}"#))
    }

    /// A payload as sent; a bare version (an older instance's) or anything unreadable means
    /// reading everything again.
    pub(super) fn parse(payload: &str) -> Announcement {
        serde_json::from_str(payload).unwrap_or_else(|_| Announcement::Full { v: payload.trim().parse().unwrap_or(i64::MAX) })
    }

    pub(super) fn version(&self) -> i64 {
        match self {
            Announcement::Seen { v, .. } | Announcement::Rows { v, .. } | Announcement::Full { v } => *v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(n: usize) -> AgentId {
        AgentId::parse(&format!("agent-with-a-longish-name-{n:04}")).unwrap()
    }

    #[test]
    fn a_heartbeat_is_announced_with_its_leases_and_anything_else_by_its_rows() {
        let renewed = (42, vec![agent(1), agent(2)]);
        let rows = Rows { agents: vec![(agent(1).to_string(), String::new(), 0, Some(42))], ..Rows::default() };
        assert_eq!(
            Announcement::parse(&Announcement::of(7, Some(&renewed), &rows)),
            Announcement::Seen { v: 7, until: 42, agents: vec![agent(1).to_string(), agent(2).to_string()] }
        );
        let call = "CA0123456789abcdef0123456789abcdef".to_string();
        let rows = Rows { live_calls: vec![(call.clone(), String::new(), 0, String::new())], accounts: vec![agent(3).to_string()], ..rows };
        assert_eq!(
            Announcement::parse(&Announcement::of(8, None, &rows)),
            Announcement::Rows { v: 8, agents: Some(vec![agent(1).to_string(), agent(3).to_string()]), calls: vec![call] }
        );
    }

    #[test]
    fn an_announcement_too_long_for_notify_names_less_and_an_old_one_means_everything() {
        let many: Vec<AgentId> = (0..400).map(agent).collect();
        let renewed = (42, many);
        let json = Announcement::of(9, Some(&renewed), &Rows::default());
        assert!(json.len() <= MAX_LEN);
        assert_eq!(Announcement::parse(&json), Announcement::Rows { v: 9, agents: None, calls: vec![] });
        let calls = (0..400).map(|n| (format!("CA{n:032x}"), "ended")).collect();
        let json = Announcement::of(10, None, &Rows { ended_calls: calls, ..Rows::default() });
        assert_eq!(Announcement::parse(&json), Announcement::Full { v: 10 });
        assert_eq!(Announcement::parse("11"), Announcement::Full { v: 11 });
        assert_eq!(Announcement::parse("garbled"), Announcement::Full { v: i64::MAX });
    }
}
