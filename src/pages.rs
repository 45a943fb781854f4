//! The HTML shell and the pages of the browser app.
//!
//! Each page is a document of its own, reached by an ordinary link: the agent console (`/`), the
//! supervisor's floor beside it (`/floor`),
//! and in simulator mode the customer's phone (`/phone`) and the monitor (`/simulator`). Nothing
//! navigates between them without a page load, so the browser bundle carries no client-side
//! router (it cost ~50 KB gzip of the 250 KB WASM budget); the server picks the page by path
//! (`application::router`) and the browser hydrates the page it was sent (`hydrate` in lib.rs).

use crate::console::page::ConsolePage;
use crate::simulator_ui::{monitor::MonitorPage, phone::PhonePage};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Console,
    /// The supervisor's floor, beside their console.
    Floor,
    Phone,
    Monitor,
    /// Any other path: a 404 with a way back.
    NotFound,
}

impl Page {
    /// The pages with a path of their own.
    pub const ROUTED: [Page; 4] = [Page::Console, Page::Floor, Page::Phone, Page::Monitor];

    pub fn path(self) -> Option<&'static str> {
        match self {
            Page::Console => Some("/"),
            Page::Floor => Some("/floor"),
            Page::Phone => Some("/phone"),
            Page::Monitor => Some("/simulator"),
            Page::NotFound => None,
        }
    }

    /// The page served at `path` (a trailing slash is not the same page, as on the server).
    pub fn at(path: &str) -> Page {
        Page::ROUTED.into_iter().find(|p| p.path() == Some(path)).unwrap_or(Page::NotFound)
    }

    fn title(self) -> &'static str {
        match self {
            Page::Console => "warm-transfer · agent console",
            Page::Floor => "warm-transfer · supervisor's floor",
            Page::Phone => "warm-transfer · customer phone (simulator)",
            Page::Monitor => "warm-transfer · simulator monitor",
            Page::NotFound => "warm-transfer · page not found",
        }
    }
}

/// The document around a page; rendered on the server only.
pub fn shell(options: LeptosOptions, page: Page) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <title>{page.title()}</title>
                // Plain tags in the server-rendered shell: no head-management code in the WASM.
                <link rel="stylesheet" id="leptos" href="/pkg/warm-transfer.css"/>
                <script src="/vendor/twilio.min.js"></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body>
                <PageBody page/>
            </body>
        </html>
    }
}

/// What `<body>` holds for `page`: exactly what the browser hydrates for that path.
#[component]
fn PageBody(page: Page) -> impl IntoView {
    match page {
        Page::Console => view! { <ConsolePage/> }.into_any(),
        Page::Floor => view! { <ConsolePage floor=true/> }.into_any(),
        Page::Phone => view! { <PhonePage/> }.into_any(),
        Page::Monitor => view! { <MonitorPage/> }.into_any(),
        Page::NotFound => view! { <NotFound/> }.into_any(),
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    // The status (404) is set by the fallback handler that renders this page.
    view! {
        <main class="console">
            <p class="not-found">"Page not found. " <a href="/">"Go to the agent console"</a></p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_found_at_its_own_path_and_nothing_else_is_a_page() {
        for page in Page::ROUTED {
            assert_eq!(Page::at(page.path().unwrap()), page);
        }
        for other in ["", "/phone/", "/Phone", "/simulator/x", "/api/token", "/pkg/warm-transfer.js"] {
            assert_eq!(Page::at(other), Page::NotFound, "{other}");
        }
    }
}
