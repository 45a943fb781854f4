//! The one clock of the server: unix milliseconds, what every row and every decision uses.

/// Milliseconds since the epoch: the one clock every row uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
