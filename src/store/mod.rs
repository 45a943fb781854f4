//! Every sqlx query in the app: agent accounts and sessions (`agents`), the contact center's
//! decisions (`center`), the effects outbox (`outbox`) and the record of Twilio's callbacks.
//!
//! One set of queries serves SQLite (the zero-set-up default) and PostgreSQL (several app
//! instances sharing one database): the SQL is portable (`$n` placeholders, `ON CONFLICT`,
//! BIGINT times in unix milliseconds) and runs through `sqlx::Any`. Only the migrations differ.

mod agents;
mod callbacks;
mod calls;
pub mod center;
pub mod outbox;
mod pool;
mod rows;

pub use agents::AgentRow;
pub use center::{Center, CenterError, Change, ConnectionGuard, Directory};
pub use pool::{Backend, Store, StoreError};
pub use rows::*;
