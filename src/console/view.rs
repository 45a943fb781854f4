//! The console page: a sign-in form until the browser has a session, then the agent's console.
//!
//! Two sources, never mixed up: the phone (`#call-status`, Answer, Hang up) is this browser's
//! state machine ([`Console`]), driven by the Voice SDK; everything else — presence, my call,
//! the queue, the other agents, recent calls — is drawn only from the server's [`ConsoleView`],
//! pushed over `/api/stream` (`stream.rs`). Clicks become [`Event`]s handed to the driver, which
//! runs the machine's effects against the SDK and the server functions.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::audio::{self, AudioDevice, Kind};
use super::live::{Link, Live};
use super::state::{Console, Event, TransferRequest};
use crate::api::dto::AgentInfo;
use crate::api::error::server_message;
use crate::api::session::{site_info, whoami, SignIn, SignOut};
use crate::center::{AgentCard, AwayReason, CallCard, CallHistory, ConsoleView, LegCard, Millis, Presence, QueueCard, Wanted};
use crate::ids::AgentId;

#[component]
pub fn ConsolePage() -> impl IntoView {
    // Errors as their text (all the page shows of them): the resources travel in the page, and
    // a `ServerFnError` would bring its own decoder into the WASM.
    let me = Resource::<_, JsonBytes>::new_with_options(|| (), |_| async { whoami().await.map_err(|e| e.to_string()) }, false);
    let site = Resource::<_, JsonBytes>::new_with_options(|| (), |_| async { site_info().await.ok() }, false);
    crate::live::hydrated();
    view! {
        <main class="console">
            <Suspense fallback=|| ()>
                {move || site.get().flatten().filter(|s| s.simulator).map(|s| view! {
                    <p class="simulator-note">
                        <span id="sim-badge" class="badge">"Simulator"</span>
                        {format!(" No Twilio account in use: calls are simulated. Demo agents {} sign in with password \u{201c}{}\u{201d}. ",
                            words::and_list(&s.demo_agents), s.demo_password.unwrap_or_default())}
                        <a href="/phone">"Call as a customer"</a> " · " <a href="/simulator">"Watch the simulator"</a>
                    </p>
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || me.get().map(|who| match who {
                    Ok(Some(agent)) => EitherOf3::A(view! { <AgentConsole me=agent on_sign_out=move || me.refetch()/> }),
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
    let action = ServerAction::<SignIn>::new();
    // Read at submit (a password manager may fill the fields without an input event).
    let (identity, password) = (NodeRef::<leptos::html::Input>::new(), NodeRef::<leptos::html::Input>::new());
    let value = |field: NodeRef<leptos::html::Input>| field.get_untracked().map(|el| el.value()).unwrap_or_default();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            on_signed_in();
        }
    });
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(server_message(e)),
        _ => None,
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
                    action.dispatch(SignIn { identity: value(identity), password: value(password) });
                }>
                <label for="identity">"Agent name"</label>
                <input id="identity" name="identity" type="text" autocomplete="username" required autofocus node_ref=identity/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required node_ref=password/>
                <button id="sign-in-button" type="submit" class="primary" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </form>
            <p id="sign-in-error" class="form-error" role="alert">{error}</p>
        </section>
    }
}

/// Hands events to the driver (in the browser; on the server there is no phone and events go
/// nowhere). `Copy`, so every button and row can hold one.
#[derive(Clone, Copy)]
struct Dispatch {
    #[cfg(feature = "hydrate")]
    driver: StoredValue<std::rc::Rc<dyn Fn(Event)>, LocalStorage>,
}

impl Dispatch {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn new(console: RwSignal<Console>, initial: Vec<super::state::Effect>) -> Self {
        #[cfg(feature = "hydrate")]
        return Dispatch { driver: StoredValue::new_local(super::driver::Driver::start(console, initial)) };
        #[cfg(not(feature = "hydrate"))]
        Dispatch {}
    }

    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn send(self, event: Event) {
        #[cfg(feature = "hydrate")]
        if let Some(driver) = self.driver.try_get_value() {
            driver(event)
        }
    }
}

#[component]
fn AgentConsole(me: AgentInfo, on_sign_out: impl Fn() + Send + Sync + 'static + Clone) -> impl IntoView {
    // The phone connects by itself: the server renders "Connecting as …" and the browser, once
    // live, carries out what starting asked for (fetch a token, create and register the device).
    let (started, first) = match AgentId::parse(&me.identity) {
        Ok(agent) => Console::started(agent),
        Err(e) => (Console::unusable(format!("unusable identity: {}", e.0)), vec![]),
    };
    let console = RwSignal::new(started);
    let dispatch = Dispatch::new(console, first);
    let live = Live::new();
    follow_stream(live, on_sign_out.clone());
    keep_time(live);

    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            on_sign_out();
        }
    });
    let on = move |event: Event| move |_| dispatch.send(event.clone());
    let panels = NodeRef::<leptos::html::Div>::new();
    ask_before_leaving_a_call(console);
    mount_panels(panels, live, console, dispatch);

    view! {
        <header class="console-header">
            <h1>"Support console"</h1>
            <p class="who">
                "Signed in as " <strong>{me.display_name.clone()}</strong> " (" {me.identity.clone()} ") "
                <button id="sign-out-button" type="button" class="link" on:click=move |_| { sign_out.dispatch(SignOut {}); }>
                    "Sign out"
                </button>
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
        <section id="phone" class="panel" aria-labelledby="phone-title">
            <h2 id="phone-title">"Phone"</h2>
            <div class="buttons">
                <button id="answer-call-button" type="button" class="primary"
                    disabled=move || !console.with(Console::can_answer)
                    on:click=on(Event::AnswerClicked)>
                    "Answer"
                </button>
                <button id="hangup-call-button" type="button" class="danger"
                    disabled=move || !console.with(Console::can_hang_up)
                    on:click=on(Event::HangupClicked)>
                    "Hang up"
                </button>
                <button id="reconnect-phone-button" type="button"
                    hidden=move || !console.with(Console::can_reconnect)
                    on:click=on(Event::ReconnectClicked)>
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
    Box::new(untrack(|| leptos::mount::mount_to_renderer(&el, move || panels::all(live, console, dispatch))))
}

#[cfg(not(feature = "hydrate"))]
fn mount_panels(_target: NodeRef<leptos::html::Div>, _live: Live, _console: RwSignal<Console>, _dispatch: Dispatch) {}

/// The panels drawn from the server's view (browser only, see [`mount_panels`]).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod panels {
    use super::*;

    pub fn all(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
        // The note typed for a consult, shared by the transfer panel and the directory's rows,
        // and the number typed there.
        let note = RwSignal::new(String::new());
        let number = RwSignal::new(String::new());
        // What was typed for one call is not carried over to the next: both are cleared once
        // the call they were typed during is over (not when a call arrives: typing may start first).
        Effect::new(move |last: Option<Option<crate::ids::CallSid>>| {
            let now = live.with(|v| v.call.as_ref().map(|c| c.call.clone())).flatten();
            if matches!(&last, Some(Some(was)) if now.as_ref() != Some(was)) {
                note.set(String::new());
                number.set(String::new());
            }
            now
        });
        view! {
            <div class="console-column">
                {presence(live, console, dispatch)}
                {my_call(live, console, dispatch)}
                {transfer_panel(live, console, dispatch, note, number)}
                {audio_panel(console, dispatch)}
            </div>
            <div class="console-column">
                {queue(live)}
                {directory(live, console, dispatch, note)}
                {recent_calls(live)}
            </div>
        }
    }

    fn presence(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
        let me = move || live.with(|v| v.me.clone());
        let buttons = move || {
            let allowed = me().map(|m| words::presence_buttons(&m.presence)).unwrap_or_default();
            let (pending, phone) = console.with(|c| (c.presence_pending(), c.phone_ready()));
            // Being available with no phone to ring would only turn into a missed call.
            words::PresenceButtons {
                available: allowed.available && phone && !pending,
                away: allowed.away && !pending,
                end_wrap_up: allowed.end_wrap_up && phone && !pending,
            }
        };
        let ask = move |wanted: Wanted| move |_| dispatch.send(Event::PresenceRequested(wanted));
        view! {
            <section id="presence-panel" class="panel" aria-labelledby="presence-title">
                <h2 id="presence-title">"My presence"</h2>
                <p id="presence" class=move || format!("presence {}", me().map(|m| words::presence_class(&m.presence)).unwrap_or("unknown"))>
                    {move || me().map(|m| words::presence(&m.presence, m.since, live.now.get())).unwrap_or_else(|| "…".into())}
                </p>
                <div class="buttons">
                    <button id="available-button" type="button" class="primary" disabled=move || !buttons().available on:click=ask(Wanted::Available)>
                        "Available"
                    </button>
                    <button id="away-button" type="button" disabled=move || !buttons().away on:click=ask(Wanted::Away)>
                        "Away"
                    </button>
                    <button id="end-wrap-up-button" type="button" disabled=move || !buttons().end_wrap_up on:click=ask(Wanted::Available)>
                        "End wrap-up"
                    </button>
                </div>
                <p id="presence-error" class="form-error" role="alert">{move || console.with(|c| c.presence_error().map(str::to_owned))}</p>
                // Why the agent cannot be available, and what to do about it. (Drawn here, with
                // the panels, rather than in the phone's section: what the server renders and the
                // browser hydrates costs the first download more than what the browser draws.)
                <div id="microphone-problem" role="alert" hidden=move || console.with(|c| c.mic_problem().is_none())>
                    <p id="microphone-status" class="form-error">
                        {move || console.with(Console::mic_problem).map(|p| format!("Microphone: {p}"))}
                    </p>
                    <button id="check-microphone-button" type="button" on:click=move |_| dispatch.send(Event::CheckMicClicked)>"Check again"</button>
                </div>
                <button id="take-over-button" type="button" class="primary" hidden=move || !console.with(Console::can_take_over)
                    on:click=move |_| dispatch.send(Event::TakeOverClicked)>
                    "Use the phone here"
                </button>
            </section>
        }
    }

    /// Whether `action` makes sense now: the server's view offers it and this console is not
    /// already asking for another step.
    fn offered(live: Live, console: RwSignal<Console>, action: &'static str) -> impl Fn() -> bool + Copy + Send + Sync {
        move || {
            console.with(Console::can_transfer)
                && live.with(|v| v.call.as_ref().is_some_and(|c| c.actions.iter().any(|a| a == action))).unwrap_or(false)
        }
    }

    fn my_call(live: Live, console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
        let call = move || live.with(|v| v.call.clone()).flatten();
        let step = move |action: &'static str| {
            let enabled = offered(live, console, action);
            (enabled, move |_| dispatch.send(Event::TransferRequested(TransferRequest::new(action, None, None))))
        };
        let (complete, on_complete) = step("complete");
        let (cancel, on_cancel) = step("cancel");
        let (three_way, on_three_way) = step("three-way");
        let (swap, on_swap) = step("swap");
        let (leave, on_leave) = step("leave");
        let (retry, on_retry) = step("retry");
        let (hold, on_hold) = step("hold");
        let (resume, on_resume) = step("resume");
        let in_call = move || console.with(Console::can_hang_up);
        let muted = move || console.with(Console::muted);
        let key = move |k: &'static str| {
            view! {
                <button id=format!("key-{}", match k { "*" => "star", "#" => "hash", d => d }) type="button" class="key"
                    disabled=move || !in_call() on:click=move |_| dispatch.send(Event::DigitsPressed(k.into()))>{k}</button>
            }
        };
        view! {
            <section id="my-call" class="panel" aria-labelledby="my-call-title">
                <h2 id="my-call-title">"My call"</h2>
                <p id="my-call-summary">
                    {move || match call() {
                        Some(c) => words::call_summary(&c, live.now.get()),
                        None => "No call".into(),
                    }}
                </p>
                // One line per participant (CSS keeps the line breaks).
                <p id="my-call-legs" class="legs">{move || call().map(|c| c.legs.iter().map(words::leg).collect::<Vec<_>>().join("\n"))}</p>
                <p id="my-transfer" class="transfer-line">
                    {move || live.with(|v| v.call.as_ref().and_then(|c| words::transfer(c, &v.me.id))).flatten()}
                </p>
                <p id="call-notice" class="form-error" role="alert">{move || call().and_then(|c| c.notice.map(|n| n.text))}</p>
                <div class="actions" role="group" aria-label="Transfer steps">
                    <button id="complete-transfer-button" type="button" disabled=move || !complete() on:click=on_complete>"Complete transfer"</button>
                    <button id="cancel-transfer-button" type="button" disabled=move || !cancel() on:click=on_cancel>"Cancel transfer"</button>
                    <button id="three-way-button" type="button" disabled=move || !three_way() on:click=on_three_way>"Three-way"</button>
                    <button id="swap-button" type="button" disabled=move || !swap() on:click=on_swap>"Swap"</button>
                    <button id="leave-button" type="button" disabled=move || !leave() on:click=on_leave>"Leave"</button>
                    <button id="retry-button" type="button" disabled=move || !retry() on:click=on_retry>"Retry"</button>
                </div>
                <div class="actions" role="group" aria-label="Phone">
                    <button id="mute-button" type="button" aria-pressed=move || muted().to_string() disabled=move || !in_call()
                        on:click=move |_| dispatch.send(Event::MuteClicked)>{move || if muted() { "Unmute" } else { "Mute" }}</button>
                    <button id="hold-button" type="button" disabled=move || !hold() on:click=on_hold>"Hold"</button>
                    <button id="resume-button" type="button" disabled=move || !resume() on:click=on_resume>"Resume"</button>
                </div>
                <div id="keypad" class="keypad" role="group" aria-label="Keypad">
                    {["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"].map(key).collect_view()}
                </div>
            </section>
        }
    }

    /// A note for the target, a number outside, and the queue: the transfers that are not to a
    /// colleague in the directory (whose rows have their own Consult and Transfer buttons).
    fn transfer_panel(
        live: Live,
        console: RwSignal<Console>,
        dispatch: Dispatch,
        note: RwSignal<String>,
        number: RwSignal<String>,
    ) -> impl IntoView {
        let consult = offered(live, console, "consult");
        let blind = offered(live, console, "transfer");
        let send = move |action: &'static str, to: Option<String>| {
            let note = note.get_untracked();
            dispatch.send(Event::TransferRequested(TransferRequest::new(
                action,
                to.as_deref(),
                Some(note.as_str()).filter(|_| action == "consult"),
            )));
        };
        view! {
            <section id="transfer-panel" class="panel" aria-labelledby="transfer-title">
                <h2 id="transfer-title">"Transfer"</h2>
                <label for="transfer-note">"Note for the target"</label>
                <input id="transfer-note" type="text" maxlength="500" placeholder="What the caller needs"
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
                <label for="transfer-number">"Phone number"</label>
                <input id="transfer-number" type="tel" placeholder="+14155550100"
                    prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/>
                <div class="actions">
                    <button id="consult-number-button" type="button" disabled=move || !consult() || number.with(|n| n.trim().is_empty())
                        on:click=move |_| send("consult", Some(number.get_untracked()))>"Consult"</button>
                    <button id="transfer-number-button" type="button" disabled=move || !blind() || number.with(|n| n.trim().is_empty())
                        on:click=move |_| send("transfer", Some(number.get_untracked()))>"Transfer"</button>
                    <button id="transfer-queue-button" type="button" disabled=move || !blind()
                        on:click=move |_| send("transfer", Some("queue".into()))>"Transfer to queue"</button>
                </div>
            </section>
        }
    }

    /// Microphone and speaker, chosen from what the browser lists, and a speaker test.
    /// Microphone and speaker, chosen from what the browser lists, a speaker test, and what
    /// changed (a headset unplugged or back).
    fn audio_panel(console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
        view! {
            <section id="audio-panel" class="panel" aria-labelledby="audio-title">
                <h2 id="audio-title">"Audio"</h2>
                {audio_settings(console, dispatch)}
                <p id="audio-note" role="status">{move || console.with(|c| c.audio().note())}</p>
            </section>
        }
    }

    fn audio_settings(console: RwSignal<Console>, dispatch: Dispatch) -> impl IntoView {
        let select = move |kind: Kind| {
            let on_change = move |ev: leptos::ev::Event| dispatch.send(Event::AudioChosen { kind, id: event_target_value(&ev) });
            view! {
                <select id=format!("{}-select", kind.as_str()) disabled=move || console.with(|c| !c.audio().listed) on:change=on_change>
                    {move || console.with(|c| {
                        let side = c.audio().side(kind);
                        let mut options: Vec<(String, String)> = side.available.iter().map(|d| (d.id.clone(), d.name().to_string())).collect();
                        // Some browsers list no "default" entry: following the system is always offered.
                        if !side.available.iter().any(AudioDevice::is_default) {
                            options.insert(0, (audio::DEFAULT.into(), "System default".into()));
                        }
                        let selected = side.selected().to_string();
                        options.into_iter().map(|(id, name)| {
                            let on = id == selected;
                            view! { <option value=id selected=on>{name}</option> }
                        }).collect_view()
                    })}
                </select>
            }
        };
        view! {
            <label for="microphone-select">"Microphone"</label>
            {select(Kind::Microphone)}
            <label for="speaker-select">"Speaker"</label>
            {select(Kind::Speaker)}
            <div class="buttons">
                <button id="test-speaker-button" type="button" on:click=move |_| dispatch.send(Event::TestSpeakerClicked)>"Test speaker"</button>
            </div>
        }
    }

    fn queue(live: Live) -> impl IntoView {
        view! {
            <section id="queue-panel" class="panel" aria-labelledby="queue-title">
                <h2 id="queue-title">"Queue"</h2>
                <p id="queue">
                    {move || live.with(|v| words::queue(&v.queue, live.now.get())).unwrap_or_else(|| "…".into())}
                </p>
            </section>
        }
    }

    fn directory(live: Live, console: RwSignal<Console>, dispatch: Dispatch, note: RwSignal<String>) -> impl IntoView {
        // A new view redraws the rows in place (same elements, so the focus on a button stays);
        // between views each row follows its agent's clock by itself.
        let ids = move || live.with(|v| v.agents.iter().map(|a| a.id.clone()).collect::<Vec<_>>()).unwrap_or_default();
        view! {
            <section id="directory" class="panel" aria-labelledby="directory-title">
                <h2 id="directory-title">"Agents"</h2>
                <ul class="directory">
                    {move || ids().into_iter().map(|id| agent_row(id, live, console, dispatch, note)).collect_view()}
                </ul>
            </section>
        }
    }

    /// What `f` makes of `id`'s card (and the view it is in), if the view has them.
    fn with_card<T>(live: Live, id: &AgentId, f: impl FnOnce(&ConsoleView, &AgentCard) -> T) -> Option<T> {
        live.view.with(|v| v.as_ref().and_then(|v| v.agents.iter().find(|a| &a.id == id).map(|a| f(v, a))))
    }

    fn agent_row(id: AgentId, live: Live, console: RwSignal<Console>, dispatch: Dispatch, note: RwSignal<String>) -> impl IntoView {
        // Only an available colleague can take a transfer; the server says whether my call
        // offers one now.
        let free = {
            let id = id.clone();
            move || with_card(live, &id, |_, a| a.presence == Presence::Available).unwrap_or(false)
        };
        let can_consult = {
            let (free, consult) = (free.clone(), offered(live, console, "consult"));
            move || consult() && free()
        };
        let can_transfer = {
            let blind = offered(live, console, "transfer");
            move || blind() && free()
        };
        let presence = {
            let id = id.clone();
            move || with_card(live, &id, |_, a| words::presence(&a.presence, a.since, live.now.get())).unwrap_or_default()
        };
        let word = {
            let id = id.clone();
            move || with_card(live, &id, |_, a| words::presence_class(&a.presence)).unwrap_or("unknown")
        };
        let (consult_to, transfer_to) = (id.to_string(), id.to_string());
        view! {
            <li id=format!("agent-{id}") class="agent-row">
                <span class="agent-name">{id.to_string()}</span>
                <span class=move || format!("agent-presence presence {}", word())>{presence}</span>
                <button id=format!("consult-{id}-button") type="button" aria-label=format!("Consult {id}, the caller on hold")
                    disabled=move || !can_consult()
                    on:click=move |_| {
                        let note = note.get_untracked();
                        dispatch.send(Event::TransferRequested(TransferRequest::new("consult", Some(&consult_to), Some(&note))))
                    }>
                    "Consult"
                </button>
                <button id=format!("transfer-{id}-button") type="button" aria-label=format!("Transfer the call to {id}")
                    disabled=move || !can_transfer()
                    on:click=move |_| dispatch.send(Event::TransferRequested(TransferRequest::new("transfer", Some(&transfer_to), None)))>
                    "Transfer"
                </button>
            </li>
        }
    }

    fn recent_calls(live: Live) -> impl IntoView {
        view! {
            <section id="recent-calls" class="panel" aria-labelledby="recent-title">
                <h2 id="recent-title">"Recent calls"</h2>
                <ol class="recent">
                    {move || live.with(|v| v.recent.iter().map(|call| view! {
                        <li class="recent-call">
                            <p class="recent-caller">{words::caller(&call.from)}</p>
                            // One line per row (CSS keeps the line breaks): a list per call would
                            // cost the WASM more than it gives.
                            <p class="timeline">{words::timeline(call).join("\n")}</p>
                        </li>
                    }).collect_view())}
                </ol>
            </section>
        }
    }
}

/// Moves the server's clock on every second while the console is on the page (browser only):
/// the browser's clock corrected by the skew measured when the last view arrived.
#[cfg(feature = "hydrate")]
fn keep_time(live: Live) {
    let tick = move || live.now.set(js_sys::Date::now() as Millis + live.skew.get_untracked());
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
}

/// The server renders the console before any view has arrived: no durations to count.
#[cfg(not(feature = "hydrate"))]
fn keep_time(_live: Live) {}

/// How long after the browser gave up on the stream it is opened again.
#[cfg(feature = "hydrate")]
const REOPEN_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// Keeps a stream open while the console is on the page (browser only). When the browser gives
/// up on it (the server answered with an error), the console asks who is signed in: nobody
/// (the session ended) goes back to the sign-in form, anything else tries again shortly.
#[cfg(feature = "hydrate")]
fn follow_stream(live: Live, on_session_lost: impl Fn() + Send + Sync + Clone + 'static) {
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
fn follow_stream(_live: Live, _on_session_lost: impl Fn() + Send + Sync + Clone + 'static) {}

/// The panels' words: plain functions of the server's view and the time, tested natively.
pub mod words {
    use super::*;

    /// `m:ss`, or `h:mm:ss` from an hour on; nothing negative (clocks disagree a little).
    pub fn clock(ms: Millis) -> String {
        let s = ms.max(0) / 1000;
        let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
        if h > 0 {
            format!("{h}:{m:02}:{s:02}")
        } else {
            format!("{m}:{s:02}")
        }
    }

    /// Seconds left until `until`, rounded up, as a clock: a wrap-up never shows 0:00 early.
    fn left(until: Millis, now: Millis) -> String {
        clock((until - now + 999).max(0) / 1000 * 1000)
    }

    /// An agent's presence as the console shows it (`#presence`, a directory row).
    pub fn presence(p: &Presence, since: Millis, now: Millis) -> String {
        match p {
            Presence::Offline => "Offline".into(),
            Presence::Available => format!("Available · {}", clock(now - since)),
            Presence::Away { reason: AwayReason::Chosen } => format!("Away · {}", clock(now - since)),
            Presence::Away { reason: AwayReason::MissedCall } => format!("Away — missed a call · {}", clock(now - since)),
            Presence::Ringing { .. } => "Ringing".into(),
            Presence::OnCall { .. } => "On a call".into(),
            Presence::WrapUp { until } => format!("Wrap-up · {} left", left(*until, now)),
        }
    }

    /// A CSS class per presence (the colour of its dot).
    pub fn presence_class(p: &Presence) -> &'static str {
        p.word()
    }

    /// Which presence buttons make sense for the agent's presence (the server has the last word).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct PresenceButtons {
        pub available: bool,
        pub away: bool,
        pub end_wrap_up: bool,
    }

    pub fn presence_buttons(p: &Presence) -> PresenceButtons {
        let none = PresenceButtons::default();
        match p {
            Presence::Offline => PresenceButtons { available: true, away: true, ..none },
            Presence::Available => PresenceButtons { away: true, ..none },
            Presence::Away { reason: AwayReason::Chosen } => PresenceButtons { available: true, ..none },
            // "Away" again turns a missed call into a chosen absence.
            Presence::Away { reason: AwayReason::MissedCall } => PresenceButtons { available: true, away: true, ..none },
            Presence::Ringing { .. } | Presence::OnCall { .. } => none,
            Presence::WrapUp { .. } => PresenceButtons { away: true, end_wrap_up: true, ..none },
        }
    }

    pub fn caller(from: &str) -> String {
        if from.is_empty() {
            "Unknown caller".into()
        } else {
            format!("Caller {from}")
        }
    }

    /// `#my-call-summary`: who, where the call is, for how long, and how long the caller waited.
    pub fn call_summary(c: &CallCard, now: Millis) -> String {
        let who = caller(&c.from);
        match c.phase.as_str() {
            "connected" => format!("{who} · connected {} · waited {}", clock(now - c.since), clock(c.since - c.queued_at)),
            "offered" => format!("{who} · ringing {} · waiting {}", clock(now - c.since), clock(now - c.queued_at)),
            other => format!("{who} · {other} · waiting {}", clock(now - c.queued_at)),
        }
    }

    /// One participant of my call: who, their part in it, and their state.
    pub fn leg(l: &LegCard) -> String {
        let who = match l.role.as_str() {
            "customer" => caller(&l.party),
            _ => l.party.clone(),
        };
        let role = match l.role.as_str() {
            "owner" => " · has the call",
            "target" => " · transfer target",
            _ => "",
        };
        let muted = if l.muted { " · muted" } else { "" };
        format!("{who}{role} · {}{muted}", l.state.replace('-', " "))
    }

    /// `#my-transfer`: the consult in progress (with its note), or who transferred the call here.
    /// The target (`me` is who the call is being transferred to) reads it from their side.
    pub fn transfer(c: &CallCard, me: &AgentId) -> Option<String> {
        let with_note = |text: String, note: &str| if note.is_empty() { text } else { format!("{text} · note: {note}") };
        match &c.transfer {
            Some(t) if t.to == me.as_str() => {
                let stage = match t.stage.as_str() {
                    "ringing" => "ringing; the caller is on hold".to_string(),
                    "consulting" => format!("talking with {}; the caller is on hold", t.by),
                    "with-customer" => format!("you are on hold; {} is talking with the caller", t.by),
                    "three-way" => format!("three-way with {} and the caller", t.by),
                    other => other.to_string(),
                };
                Some(with_note(format!("Transfer from {} to you: {stage}", t.by), &t.note))
            }
            Some(t) => {
                let stage = match t.stage.as_str() {
                    "ringing" => format!("{} is ringing; the caller is on hold", t.to),
                    "consulting" => format!("consulting {}; the caller is on hold", t.to),
                    "with-customer" => format!("talking with the caller; {} is on hold", t.to),
                    "three-way" => format!("three-way with {}", t.to),
                    other => other.to_string(),
                };
                Some(with_note(format!("Transfer from {}: {stage}", t.by), &t.note))
            }
            None => c.transferred_by.as_ref().map(|by| format!("Transferred by {by}")),
        }
    }

    pub fn queue(q: &QueueCard, now: Millis) -> String {
        match (q.waiting, q.longest_since) {
            (0, _) => "No one waiting".into(),
            (n, Some(since)) => format!("{n} waiting · longest {}", clock(now - since)),
            (n, None) => format!("{n} waiting"),
        }
    }

    /// A recent call's timeline, each row at its offset from the first.
    pub fn timeline(call: &CallHistory) -> Vec<String> {
        let start = call.rows.iter().map(|r| r.at).min().unwrap_or(0);
        call.rows.iter().map(|r| format!("{} {}", clock(r.at - start), r.text)).collect()
    }

    /// "a", "a and b", "a, b and c".
    pub fn and_list(items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::center::TimelineRow;
        use crate::ids::CallSid;

        fn sid() -> CallSid {
            CallSid::parse(&format!("CA{:032x}", 7)).unwrap()
        }

        fn agent(name: &str) -> AgentId {
            AgentId::parse(name).unwrap()
        }

        const NOW: Millis = 1_700_000_000_000;

        #[test]
        fn clocks_count_minutes_and_seconds_then_hours() {
            assert_eq!(clock(0), "0:00");
            assert_eq!(clock(999), "0:00");
            assert_eq!(clock(42_000), "0:42");
            assert_eq!(clock(61_500), "1:01");
            assert_eq!(clock(3_600_000 + 5_000), "1:00:05");
            assert_eq!(clock(-3_000), "0:00", "a server clock a little ahead never shows negative time");
        }

        #[test]
        fn presence_reads_as_a_person_says_it() {
            let call = Presence::OnCall { call: sid() };
            assert_eq!(presence(&Presence::Available, NOW - 42_000, NOW), "Available · 0:42");
            assert_eq!(presence(&Presence::Away { reason: AwayReason::MissedCall }, NOW - 5_000, NOW), "Away — missed a call · 0:05");
            assert_eq!(presence(&Presence::Away { reason: AwayReason::Chosen }, NOW - 65_000, NOW), "Away · 1:05");
            assert_eq!(presence(&Presence::WrapUp { until: NOW + 11_200 }, NOW - 3_800, NOW), "Wrap-up · 0:12 left");
            assert_eq!(presence(&Presence::WrapUp { until: NOW - 500 }, NOW - 15_500, NOW), "Wrap-up · 0:00 left");
            assert_eq!(presence(&Presence::Ringing { call: sid() }, NOW, NOW), "Ringing");
            assert_eq!(presence(&call, NOW - 9_000, NOW), "On a call");
            assert_eq!(presence(&Presence::Offline, 0, NOW), "Offline");
        }

        #[test]
        fn presence_buttons_offer_only_what_makes_sense() {
            let b = |p: Presence| {
                let b = presence_buttons(&p);
                (b.available, b.away, b.end_wrap_up)
            };
            assert_eq!(b(Presence::Available), (false, true, false));
            assert_eq!(b(Presence::Away { reason: AwayReason::Chosen }), (true, false, false));
            assert_eq!(b(Presence::Away { reason: AwayReason::MissedCall }), (true, true, false));
            assert_eq!(b(Presence::WrapUp { until: NOW }), (false, true, true));
            assert_eq!(b(Presence::Offline), (true, true, false));
            assert_eq!(b(Presence::Ringing { call: sid() }), (false, false, false));
            assert_eq!(b(Presence::OnCall { call: sid() }), (false, false, false));
        }

        #[test]
        fn the_queue_says_how_many_wait_and_for_how_long() {
            assert_eq!(queue(&QueueCard { waiting: 0, longest_since: None }, NOW), "No one waiting");
            assert_eq!(queue(&QueueCard { waiting: 2, longest_since: Some(NOW - 45_000) }, NOW), "2 waiting · longest 0:45");
            assert_eq!(queue(&QueueCard { waiting: 1, longest_since: None }, NOW), "1 waiting");
        }

        #[test]
        fn my_call_names_the_caller_its_state_and_each_participant() {
            let part = |party: &str, role: &str, state: &str| LegCard {
                party: party.into(),
                role: role.into(),
                state: state.into(),
                muted: false,
            };
            let card = CallCard {
                call: sid(),
                from: "+15551230000".into(),
                queued_at: NOW - 90_000,
                phase: "connected".into(),
                since: NOW - 75_000,
                legs: vec![
                    part("+15551230000", "customer", "on-hold"),
                    part("agent1", "owner", "connected"),
                    part("agent2", "target", "ringing"),
                ],
                transfer: Some(crate::center::TransferCard {
                    by: agent("agent1"),
                    to: "agent2".into(),
                    note: "billing".into(),
                    stage: "ringing".into(),
                    since: NOW,
                }),
                notice: None,
                actions: vec!["cancel".into()],
                transferred_by: None,
            };
            assert_eq!(call_summary(&card, NOW), "Caller +15551230000 · connected 1:15 · waited 0:15");
            assert_eq!(leg(&card.legs[0]), "Caller +15551230000 · on hold");
            assert_eq!(leg(&card.legs[1]), "agent1 · has the call · connected");
            assert_eq!(leg(&card.legs[2]), "agent2 · transfer target · ringing");
            assert_eq!(
                transfer(&card, &agent("agent1")).unwrap(),
                "Transfer from agent1: agent2 is ringing; the caller is on hold · note: billing"
            );
            // The target reads the same transfer from their side.
            assert_eq!(
                transfer(&card, &agent("agent2")).unwrap(),
                "Transfer from agent1 to you: ringing; the caller is on hold · note: billing"
            );
            let stage = |stage: &str| {
                let mut c = card.clone();
                c.transfer.as_mut().unwrap().stage = stage.into();
                (transfer(&c, &agent("agent1")).unwrap(), transfer(&c, &agent("agent2")).unwrap())
            };
            assert_eq!(
                stage("consulting"),
                (
                    "Transfer from agent1: consulting agent2; the caller is on hold · note: billing".into(),
                    "Transfer from agent1 to you: talking with agent1; the caller is on hold · note: billing".into()
                )
            );
            assert_eq!(
                stage("with-customer"),
                (
                    "Transfer from agent1: talking with the caller; agent2 is on hold · note: billing".into(),
                    "Transfer from agent1 to you: you are on hold; agent1 is talking with the caller · note: billing".into()
                )
            );
            assert_eq!(
                stage("three-way"),
                (
                    "Transfer from agent1: three-way with agent2 · note: billing".into(),
                    "Transfer from agent1 to you: three-way with agent1 and the caller · note: billing".into()
                )
            );
            let offered = CallCard {
                phase: "offered".into(),
                since: NOW - 3_000,
                from: String::new(),
                transfer: None,
                transferred_by: Some(agent("agent1")),
                ..card
            };
            assert_eq!(call_summary(&offered, NOW), "Unknown caller · ringing 0:03 · waiting 1:30");
            assert_eq!(transfer(&offered, &agent("agent2")).unwrap(), "Transferred by agent1");
        }

        #[test]
        fn a_timeline_counts_from_its_first_row() {
            let call = CallHistory {
                call: sid(),
                from: "+1".into(),
                rows: vec![
                    TimelineRow { at: NOW, text: "queued (caller +1)".into() },
                    TimelineRow { at: NOW + 2_000, text: "offered to agent1".into() },
                    TimelineRow { at: NOW + 65_000, text: "customer hung up".into() },
                ],
            };
            assert_eq!(timeline(&call), vec!["0:00 queued (caller +1)", "0:02 offered to agent1", "1:05 customer hung up"]);
        }

        #[test]
        fn lists_read_as_english() {
            let s = |v: &[&str]| and_list(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(s(&[]), "");
            assert_eq!(s(&["agent1"]), "agent1");
            assert_eq!(s(&["agent1", "agent2"]), "agent1 and agent2");
            assert_eq!(s(&["agent1", "agent2", "agent3"]), "agent1, agent2 and agent3");
        }
    }
}
