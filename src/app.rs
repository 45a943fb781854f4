//! The HTML shell and the routes of the browser app.

use crate::console::view::ConsolePage;
use crate::simulator_ui::{monitor::MonitorPage, phone::PhonePage};
use leptos::prelude::*;
use leptos_router::{components::{Route, Router, Routes}, path};

/// The document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <title>"warm-transfer · agent console"</title>
                // Plain tags in the server-rendered shell: no head-management code in the WASM.
                <link rel="stylesheet" id="leptos" href="/pkg/warm-transfer.css"/>
                <script src="/vendor/twilio.min.js"></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"Page not found."</p> }>
                <Route path=path!("/") view=ConsolePage/>
                <Route path=path!("/phone") view=PhonePage/>
                <Route path=path!("/simulator") view=MonitorPage/>
            </Routes>
        </Router>
    }
}
