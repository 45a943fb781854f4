//! The panels drawn from the server's view: presence, my call (with the keypad), a voicemail,
//! transfers, audio devices, the queue, the other agents and recent calls. Browser only: they are drawn
//! into the page once it is live (see `page`), from the first view the stream brings.

mod audio;
mod board;
mod directory;
mod my_call;
mod offers;
mod presence;
mod queue;
mod recent;
mod transfer;
mod voicemail;

#[cfg(feature = "hydrate")]
pub use board::all;
