//! How a server function's failure reaches the browser.

use leptos::prelude::ServerFnError;

/// The reason a server function gave, without the framework's wrapping.
pub fn server_message(e: ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m,
        other => other.to_string(),
    }
}
