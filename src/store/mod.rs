//! Every sqlx query in the app, and nothing else: agent accounts and sessions (`agents`), the
//! contact center's rows (`state`: loaded, and written inside a decision's transaction), the
//! effects outbox (`outbox`), the record of Twilio's callbacks (`callbacks`), and what tests
//! and support read back (`calls`), and the facts today's figures are folded from (`facts`). The running center that decides is `crate::runtime`.
//!
//! One set of queries serves SQLite (the zero-set-up default) and PostgreSQL (several app
//! instances sharing one database): the SQL is portable (`$n` placeholders, `ON CONFLICT`,
//! BIGINT times in unix milliseconds) and runs through `sqlx::Any`. Only the migrations differ.

mod agents;
mod callbacks;
mod calls;
mod facts;
pub mod outbox;
mod pool;
mod rows;
pub mod state;

pub use agents::AgentRow;
pub use facts::{Fact, FactTable};
pub use pool::{Backend, Store, StoreError, Tx};
pub use rows::*;
