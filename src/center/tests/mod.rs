//! Every rule of the center as a given/when/then sentence, with no database and no clock.

mod callbacks;
mod calls;
mod figures;
mod forms;
mod given;
mod hours;
mod order;
mod pacing;
mod properties;
mod queues;
mod roster;
mod supervisor;
mod transfers;
mod voicemail;
