//! The live feed on the page: the stream of the server's views kept open while the console is
//! there (reopened after the browser gives up, or back to sign-in when the session is gone),
//! and the server's clock moved on every second between views.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::live::Link;
use super::live::Live;
#[cfg(feature = "hydrate")]
use crate::api::session::whoami;
#[cfg(feature = "hydrate")]
use crate::center::Millis;

/// Moves the server's clock on every second while the console is on the page (browser only):
/// the browser's clock corrected by the skew measured when the last view arrived.
#[cfg(feature = "hydrate")]
pub fn keep_time(live: Live) {
    let tick = move || live.now.set(js_sys::Date::now() as Millis + live.skew.get_untracked());
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
}

/// The server renders the console before any view has arrived: no durations to count.
#[cfg(not(feature = "hydrate"))]
pub fn keep_time(_live: Live) {}

/// How long after the browser gave up on the stream it is opened again.
#[cfg(feature = "hydrate")]
const REOPEN_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// Keeps a stream open while the console is on the page (browser only). When the browser gives
/// up on it (the server answered with an error), the console asks who is signed in: nobody
/// (the session ended) goes back to the sign-in form, anything else tries again shortly.
#[cfg(feature = "hydrate")]
pub fn follow_stream(live: Live, on_session_lost: impl Fn() + Send + Sync + Clone + 'static) {
    use super::stream::ConsoleStream;
    let generation = RwSignal::new(0u32);
    let stream = StoredValue::new_local(None::<ConsoleStream>);
    Effect::new(move |_| {
        generation.track();
        // The old stream (if any) is closed before the new one opens.
        stream.set_value(None);
        let on_session_lost = on_session_lost.clone();
        let on_closed = move || {
            let on_session_lost = on_session_lost.clone();
            leptos::task::spawn_local(async move {
                match whoami().await {
                    Ok(None) => on_session_lost(),
                    _ => set_timeout(
                        move || {
                            generation.try_update(|g| *g += 1);
                        },
                        REOPEN_AFTER,
                    ),
                }
            });
        };
        match ConsoleStream::open(live, on_closed) {
            Ok(s) => stream.set_value(Some(s)),
            Err(e) => {
                live.link.set(Link::Down);
                web_sys::console::error_1(&e);
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn follow_stream(_live: Live, _on_session_lost: impl Fn() + Send + Sync + Clone + 'static) {}
