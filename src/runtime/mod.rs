//! The running center of this instance (server only): the one writer that decides commands
//! with the pure core (`crate::center`) and makes each decision durable in one transaction
//! (`commit`; on SQLite it also checkpoints the log in quiet moments, `checkpoint`), the timers
//! (`timers`: ticks, heartbeats, the roster), the consoles connected here and the directory they
//! share (`consoles`), the supervisors' floor and today's figures (`floor`), the opening hours as
//! last read (`hours`), whether the database answers (`health`), the daily purge of
//! old calls (`retention`), and, on PostgreSQL, following the other instances (`announce`,
//! `replica`). Storage itself is `crate::store` (SQL only); every change to the
//! live state goes through the core.

mod announce;
mod center;
mod checkpoint;
mod commit;
mod connect;
mod consoles;
mod floor;
mod health;
mod hours;
mod replica;
pub mod retention;
mod roster;
mod start;
mod timers;

pub use center::{Center, CenterError, Change, Reread};
pub use consoles::{ConnectionGuard, Directory};
pub use floor::{Floor, FloorFrame};
pub use health::{Health, Kept, PROBE_TIMEOUT};
pub use hours::{HoursError, Known as KnownHours, OpeningHours};
