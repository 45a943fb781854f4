//! The server's JSON read by hand in the browser, the part the console and the floor share: what
//! a JSON value is to a reader (`json`), and the readers of the pieces both views hold (`read`:
//! an agent, a call, a presence, a participant, a timeline row). The views' own readers are
//! `console::wire` and `floor::wire`. Not serde's derived decoders: theirs for every type of the
//! views were about 6% of the console's WASM.
//!
//! The readers are plain Rust over [`json::Json`]: in the browser a `JsValue` from the browser's
//! own `JSON.parse`; in the tests a `serde_json::Value`, so the readers are checked natively
//! against what the server's serde writes.

pub mod json;
pub mod read;
