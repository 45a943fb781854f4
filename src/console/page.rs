//! The console page: a sign-in form until the browser has a session, then the agent's console.
//!
//! Two sources, never mixed up: the phone (`#call-status`, Answer, Hang up) is this browser's
//! state machine ([`Console`]), driven by the Voice SDK; everything else — presence, my call,
//! the queue, the other agents, recent calls — is drawn only from the server's [`ConsoleView`],
//! pushed over `/api/stream` (`feed`, `stream`), and drawn by `panels`. Clicks become [`Input`]s handed to the driver, which
//! runs the machine's effects against the SDK and the server functions.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::dispatch::Dispatch;
use super::feed::{follow_stream, keep_time};
use super::live::{Link, Live};
use super::phone::{Console, Input};
use super::words;
use crate::api::dto::AgentInfo;
use crate::api::session::{sign_in, sign_out, site_info, whoami};

/// The console; with `floor`, the supervisor's floor beside it (`/floor`).
#[component]
pub fn ConsolePage(#[prop(optional)] floor: bool) -> impl IntoView {
    // Errors as their text (all the page shows of them): the resources travel in the page, and
    // an error type would bring its own decoder into the WASM.
    let me = Resource::<_, JsonBytes>::new_with_options(|| (), |_| async { whoami().await.map_err(|e| e.to_string()) }, false);
    let site = Resource::<_, JsonBytes>::new_with_options(|| (), |_| async { site_info().await.ok() }, false);
    crate::live::hydrated();
    view! {
        <main class="console">
            <Suspense fallback=|| ()>
                {move || site.try_get().flatten().flatten().filter(|s| s.simulator).map(|s| view! {
                    <p class="simulator-note">
                        <span id="sim-badge" class="badge">"Simulator"</span>
                        {format!(" No Twilio account in use: calls are simulated. Demo agents {} sign in with password \u{201c}{}\u{201d}. ",
                            words::and_list(&s.demo_agents), s.demo_password.unwrap_or_default())}
                        <a href="/phone">"Call as a customer"</a> " · " <a href="/simulator">"Watch the simulator"</a>
                    </p>
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || me.try_get().flatten().map(|who| match who {
                    Ok(Some(agent)) => EitherOf3::A(view! { <AgentConsole me=agent floor on_sign_out=move || me.refetch()/> }),
                    Ok(None) => EitherOf3::B(view! { <SignInForm on_signed_in=move || me.refetch()/> }),
                    Err(e) => EitherOf3::C(view! { <p id="call-status" class="status error">{format!("ERROR: {e}")}</p> }),
                })}
            </Suspense>
        </main>
    }
}

/// The page's resources as JSON, read the way the server functions read their answers
/// (`serde_json::from_slice`): Leptos's default codec reads with `from_str`, and each way of
/// reading brings its own copy of serde_json's parser and of every type's decoder into the WASM.
pub struct JsonBytes;

impl<T: serde::Serialize> leptos::server::codee::Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server::codee::Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// Works without WASM too: the form posts to the server function, which redirects back.
#[component]
fn SignInForm(on_signed_in: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    // The server function called as it is, not through a `ServerAction`: an action brings the
    // decoding of errors from a redirect's URL (base64 and all) into the WASM, for a form that
    // only redirects when there is no WASM at all.
    let (pending, error) = (RwSignal::new(false), RwSignal::new(None::<String>));
    let on_signed_in = StoredValue::new(on_signed_in);
    // Read at submit (a password manager may fill the fields without an input event).
    let (identity, password) = (NodeRef::<leptos::html::Input>::new(), NodeRef::<leptos::html::Input>::new());
    let value = |field: NodeRef<leptos::html::Input>| field.get_untracked().map(|el| el.value()).unwrap_or_default();
    let submit = move |identity: String, password: String| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = sign_in(identity, password).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    on_signed_in.with_value(|f| f());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <header class="console-header"><h1>"Support console"</h1></header>
        <section class="panel" aria-label="Sign in">
            <h2>"Sign in"</h2>
            // A plain form (it posts to the server function without WASM); once live, the submit
            // is taken over and sent as a server action. Not `ActionForm`: it would bring a
            // query-string decoder into the console's WASM for two fields.
            <form id="sign-in-form" class="sign-in" method="post" action="/api/sign_in"
                on:submit=move |ev| {
                    ev.prevent_default();
                    if !pending.get_untracked() {
                        submit(value(identity), value(password));
                    }
                }>
                <label for="identity">"Agent name"</label>
                <input id="identity" name="identity" type="text" autocomplete="username" required autofocus node_ref=identity/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required node_ref=password/>
                // `try_get`: a page whose request went away mid-render (a HEAD, a client gone) has its
                // signals disposed while the stream still renders; that is no reason to panic.
                <button id="sign-in-button" type="submit" class="primary" disabled=move || pending.try_get().unwrap_or(false)>
                    "Sign in"
                </button>
            </form>
            <p id="sign-in-error" class="form-error" role="alert">{move || error.try_get().flatten()}</p>
        </section>
    }
}

#[component]
fn AgentConsole(me: AgentInfo, floor: bool, on_sign_out: impl Fn() + Send + Sync + 'static + Clone) -> impl IntoView {
    // The phone connects by itself: the server renders "Connecting as …" and the browser, once
    // live, carries out what starting asked for (fetch a token, create and register the device).
    let (started, first) = Console::started(me.identity.clone());
    let console = RwSignal::new(started);
    let dispatch = Dispatch::new(console, first);
    let live = Live::new();
    follow_stream(live, on_sign_out.clone());
    keep_time(live);

    let sign_out_clicked = {
        let on_sign_out = on_sign_out.clone();
        move |_| {
            let on_sign_out = on_sign_out.clone();
            leptos::task::spawn_local(async move {
                if sign_out().await.is_ok() {
                    on_sign_out();
                }
            });
        }
    };
    let on = move |event: Input| move |_| dispatch.send(event.clone());
    let panels = NodeRef::<leptos::html::Div>::new();
    ask_before_leaving_a_call(console);
    mount_panels(panels, live, console, dispatch);
    // A supervisor's phone answers the leg that monitors a call by itself: they asked for it
    // on the floor a moment ago (and, monitoring, no other call is offered to them).
    Effect::new(move |_| {
        let monitor_ringing = live.with(|v| v.monitoring.as_ref().is_some_and(|m| !m.joined)).unwrap_or(false);
        if monitor_ringing && console.with(Console::can_answer) {
            dispatch.send(Input::AnswerClicked);
        }
    });
    // The server's word on whether this agent is ringing or on a call, told to the phone when it
    // changes: a call the server says is over leaves the phone too (see `phone::call`).
    let server_busy = Memo::new(move |_| {
        live.with(|v| matches!(v.me.presence, crate::center::Presence::Ringing { .. } | crate::center::Presence::OnCall { .. }))
    });
    Effect::new(move |_| {
        if let Some(busy) = server_busy.get() {
            dispatch.send(Input::ServerPresence { busy });
        }
    });
    let show_floor = floor && me.supervisor;
    let floor_el = NodeRef::<leptos::html::Div>::new();
    mount_floor(floor_el, show_floor, me.identity.clone(), live);
    let floor_link = (me.supervisor && !floor).then(|| view! { " · " <a id="floor-link" href="/floor">"Open the floor"</a> });
    let console_link = show_floor.then(|| view! { " · " <a id="console-link" href="/">"Console only"</a> });

    view! {
        <header class="console-header">
            <h1>"Support console"</h1>
            <p class="who">
                "Signed in as " <strong>{me.display_name.clone()}</strong> " (" {me.identity.to_string()} ") "
                <button id="sign-out-button" type="button" class="link" on:click=sign_out_clicked>
                    "Sign out"
                </button>
                {floor_link}
                {console_link}
            </p>
            <p id="call-status" class="status" role="status" aria-live="polite" class:error=move || console.with(Console::is_error)>
                {move || console.with(Console::status_text)}
            </p>
            <p id="live-status" class="live-status" role="status" hidden=move || live.link.get() == Link::Up>
                {move || match live.link.get() {
                    Link::Connecting => "Connecting to the server…",
                    Link::Up => "",
                    Link::Down => "Connection to the server lost: reconnecting…",
                }}
            </p>
        </header>
        // The floor first on /floor, drawn in the browser from its own stream (a module of its own).
        <div id="floor" node_ref=floor_el hidden=!show_floor></div>
        <section id="phone" class="panel" aria-labelledby="phone-title">
            <h2 id="phone-title">"Phone"</h2>
            <div class="buttons">
                <button id="answer-call-button" type="button" class="primary"
                    disabled=move || !console.with(Console::can_answer)
                    on:click=on(Input::AnswerClicked)>
                    "Answer"
                </button>
                <button id="hangup-call-button" type="button" class="danger"
                    disabled=move || !console.with(Console::can_hang_up)
                    on:click=on(Input::HangupClicked)>
                    "Hang up"
                </button>
                <button id="reconnect-phone-button" type="button"
                    hidden=move || !console.with(Console::can_reconnect)
                    on:click=on(Input::ReconnectClicked)>
                    "Reconnect phone"
                </button>
            </div>
        </section>
        // The panels show only the server's live view, which exists only in the browser (the
        // stream): they are drawn there, into this element, once the page is live, and shown
        // from the first view on (until then `#live-status` says the console is connecting).
        <div id="console-panels" class="console-grid" node_ref=panels hidden=move || live.view.with(Option::is_none)></div>
    }
}

/// Draws the floor into `target` once the page is live (browser only), when `show`.
#[cfg(feature = "hydrate")]
fn mount_floor(target: NodeRef<leptos::html::Div>, show: bool, me: crate::ids::AgentId, live: Live) {
    if !show {
        return;
    }
    let mounted = StoredValue::new_local(None::<Box<dyn std::any::Any>>);
    Effect::new(move |_| {
        if let Some(el) = target.get_untracked() {
            let me = me.clone();
            leptos::task::spawn_local(async move {
                let handle = crate::floor::draw(el.into(), me, live.now).await;
                mounted.set_value(Some(handle));
            });
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn mount_floor(_target: NodeRef<leptos::html::Div>, _show: bool, _me: crate::ids::AgentId, _live: Live) {}

/// Leaving the page during a live call asks first (the browser's own "Leave site?" prompt):
/// closing it would drop the agent's audio. Closed anyway, the server sees the console gone
/// within its lease and the contact-center rules decide what happens to the customer.
#[cfg(feature = "hydrate")]
fn ask_before_leaving_a_call(console: RwSignal<Console>) {
    let handle = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if console.with_untracked(Console::can_hang_up) {
            ev.prevent_default();
            ev.set_return_value("A call is in progress.");
        }
    });
    on_cleanup(move || handle.remove());
}

#[cfg(not(feature = "hydrate"))]
fn ask_before_leaving_a_call(_console: RwSignal<Console>) {}

/// Draws the panels into `target` once the page is live (browser only). Rendering them on the
/// server would show nothing (no view has arrived yet) and would make the WASM carry hydration
/// code for every panel: drawn in the browser alone they cost about half as much of the budget.
#[cfg(feature = "hydrate")]
fn mount_panels(target: NodeRef<leptos::html::Div>, live: Live, console: RwSignal<Console>, dispatch: Dispatch) {
    // Held by the console: when it goes, the panels are unmounted and their effects disposed.
    let mounted = StoredValue::new_local(None::<Box<dyn std::any::Any>>);
    // Runs once, after the page is hydrated (or built): it tracks nothing, so it never runs
    // again and never disposes what it mounted.
    Effect::new(move |_| {
        if let Some(el) = target.get_untracked() {
            // The panels' code is a WASM module of its own (`--split`), fetched now: the page
            // shows the phone at once, and the first download stays small.
            leptos::task::spawn_local(async move {
                let handle = draw_panels(el.into(), live, console, dispatch).await;
                mounted.set_value(Some(handle));
            });
        }
    });
}

/// A split point: everything the panels draw comes with this module.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
fn draw_panels(el: web_sys::HtmlElement, live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> Box<dyn std::any::Any> {
    // Untracked: whatever building the panels reads belongs to the panels' own effects.
    Box::new(untrack(|| leptos::mount::mount_to_renderer(&el, move || super::panels::all(live, console, dispatch))))
}

#[cfg(not(feature = "hydrate"))]
fn mount_panels(_target: NodeRef<leptos::html::Div>, _live: Live, _console: RwSignal<Console>, _dispatch: Dispatch) {}
