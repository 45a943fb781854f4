//! Every sqlx query in the app, and nothing else: agent accounts and sessions (`agents`), the
//! contact center's rows (`state`: loaded, and written inside a decision's transaction), the
//! effects outbox (`outbox`), the record of Twilio's callbacks (`callbacks`), and what tests
//! and support read back (`calls`), the facts today's figures are folded from (`facts`), the opening hours (`hours`), and what keeps the data in bounds
//! (`retention`: the daily purge, forgetting a caller, a SQLite backup). The running center that decides is `crate::runtime`.
//!
//! One set of queries serves SQLite (the zero-set-up default) and PostgreSQL (several app
//! instances sharing one database): the SQL is portable (`$n` placeholders, `ON CONFLICT`,
//! BIGINT times in unix milliseconds) and runs through `sqlx::Any`. Only the migrations differ.

mod agents;
mod callbacks;
mod calls;
mod facts;
mod hours;
pub mod outbox;
mod pool;
mod retention;
mod rows;
pub mod state;
mod upgrade;

pub use agents::{AccountRow, AgentRow};
pub use callbacks::WebhookRefusal;
pub use facts::{Fact, FactTable};
pub use hours::{HoursChange, HoursRow};
pub use pool::{Backend, Store, StoreError, Tx};
pub use retention::Removed;
pub use rows::*;
