//! `warm-transfer hours …`: the opening hours from a shell, the same row the floor edits. Each
//! change is made from the version just read, so a supervisor saving on the floor at the same
//! moment is never overwritten: one of the two is refused and told to read again.

use crate::clock::now_ms;
use crate::schedule::{Closure, Hours, Schedule};
use crate::store::{HoursChange, Store};

/// Who the CLI's changes are made by, in the audit log and the floor's "changed by".
const BY: &str = "the CLI";

pub async fn run(store: &Store, args: &[String]) -> Result<String, String> {
    let row = store.hours().await.map_err(|e| e.to_string())?;
    let change = match args.first().map(String::as_str) {
        None | Some("show") => {
            let schedule = match &row.schedule {
                Some(text) => Some(Schedule::parse(text).map_err(|e| format!("the stored schedule cannot be read: {e}"))?),
                None => None,
            };
            let closure = row.closed.clone().map(|(reason, by, since)| Closure { reason, by, since });
            let hours = Hours { schedule, closure };
            let text = row.schedule.clone().unwrap_or_else(|| "(no schedule: open around the clock)\n".into());
            return Ok(format!("now: {}\n{}", hours.words(now_ms()), text.trim_end()));
        }
        Some("set") => {
            let [_, file] = args else { return Err("hours set needs one file (- for standard input)".into()) };
            let text = if file == "-" {
                std::io::read_to_string(std::io::stdin()).map_err(|e| format!("could not read standard input: {e}"))?
            } else {
                std::fs::read_to_string(file).map_err(|e| format!("could not read {file}: {e}"))?
            };
            Schedule::parse(&text).map_err(|e| format!("{file}: {e}"))?;
            HoursChange::Schedule(Some(text.trim().to_string()))
        }
        Some("always-open") => HoursChange::Schedule(None),
        Some("close") => HoursChange::Closed(Some(args[1..].join(" ").trim().chars().take(200).collect())),
        Some("open") => {
            if row.closed.is_none() {
                return Err("the center is not closed by the switch: the schedule decides (hours show)".into());
            }
            HoursChange::Closed(None)
        }
        Some(other) => return Err(format!("unknown hours command '{other}': show, set FILE, always-open, close [REASON], open")),
    };
    match store.change_hours(row.version, BY, &change).await.map_err(|e| e.to_string())? {
        Some(_) => Ok(match change {
            HoursChange::Schedule(Some(_)) => "opening hours saved".into(),
            HoursChange::Schedule(None) => "schedule removed: open around the clock".into(),
            HoursChange::Closed(Some(_)) => "closed now: callers are told so until `warm-transfer hours open`".into(),
            HoursChange::Closed(None) => "reopened: the schedule decides again".into(),
        }),
        None => Err("the opening hours were changed meanwhile (on the floor?): run the command again".into()),
    }
}
