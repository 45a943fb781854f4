//! The console page: a sign-in form until the browser has a session, then the agent's console.
//! Rendering reads the state machine only; clicks become [`Event`]s handed to the driver, which
//! runs the machine's effects against the Voice SDK and the server.

use leptos::prelude::*;

use super::api::{dial_failures, site_info, whoami, AgentInfo, SignIn, SignOut};
use super::state::{Console, Event};
use crate::ids::AgentId;

#[component]
pub fn ConsolePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let site = Resource::new(|| (), |_| site_info());
    crate::live::hydrated();
    view! {
        <main class="console">
            <Suspense fallback=|| ()>
                {move || site.get().and_then(Result::ok).filter(|s| s.simulator).map(|s| view! {
                    <p class="simulator-note">
                        <span id="sim-badge" class="badge">"Simulator"</span>
                        {format!(" No Twilio account in use: calls are simulated. Demo agents {} sign in with password \u{201c}{}\u{201d}. ",
                            s.demo_agents.join(" and "), s.demo_password.unwrap_or_default())}
                        <a href="/phone">"Call as a customer"</a> " · " <a href="/simulator">"Watch the simulator"</a>
                    </p>
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || me.get().map(|who| match who {
                    Ok(Some(agent)) => view! { <AgentConsole me=agent on_sign_out=move || me.refetch()/> }.into_any(),
                    Ok(None) => view! { <SignInForm on_signed_in=move || me.refetch()/> }.into_any(),
                    Err(e) => view! { <p id="call-status" class="status error">{format!("ERROR: {e}")}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
}

/// Works without WASM too: the form posts to the server function, which redirects back.
#[component]
fn SignInForm(on_signed_in: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
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
            <ActionForm action=action attr:id="sign-in-form" attr:class="sign-in">
                <label for="identity">"Agent name"</label>
                <input id="identity" name="identity" type="text" autocomplete="username" required autofocus/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button id="sign-in-button" type="submit" class="primary" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p id="sign-in-error" class="form-error" role="alert">{error}</p>
        </section>
    }
}

#[component]
fn AgentConsole(me: AgentInfo, on_sign_out: impl Fn() + Send + Sync + 'static + Clone) -> impl IntoView {
    let console = RwSignal::new(Console::new());
    let dispatch = dispatcher(console);
    let agent = AgentId::parse(&me.identity).ok();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            on_sign_out();
        }
    });

    let status = move || console.with(|c| c.status_text());
    let on = |event: Event| {
        let dispatch = dispatch.clone();
        move |_| dispatch(event.clone())
    };
    let connect_id = format!("connect-{}-button", me.identity);
    let connect = agent.map(Event::ConnectRequested);

    view! {
        <header class="console-header">
            <h1>"Support console"</h1>
            <p class="who">
                "Signed in as " <strong>{me.display_name.clone()}</strong> " (" {me.identity.clone()} ") "
                <button id="sign-out-button" type="button" class="link" on:click=move |_| { sign_out.dispatch(SignOut {}); }>
                    "Sign out"
                </button>
            </p>
            <p id="call-status" class="status" role="status" aria-live="polite"
                class:error=move || console.with(|c| c.status_text().starts_with("ERROR"))>
                {status}
            </p>
        </header>
        <section class="panel" aria-label="Phone">
            <h2>"Phone"</h2>
            <div class="buttons">
                <button id=connect_id type="button"
                    disabled=move || !console.with(|c| c.can_connect())
                    on:click={
                        let dispatch = dispatch.clone();
                        move |_| if let Some(e) = connect.clone() { dispatch(e) }
                    }>
                    {format!("Connect as {}", me.display_name)}
                </button>
            </div>
        </section>
        <section class="panel" aria-label="Call">
            <h2>"Call"</h2>
            <div class="buttons">
                <button id="answer-call-button" type="button" class="primary"
                    disabled=move || !console.with(|c| c.can_answer())
                    on:click=on(Event::AnswerClicked)>
                    "Answer"
                </button>
                <button id="hangup-call-button" type="button" class="danger"
                    disabled=move || !console.with(|c| c.can_hang_up())
                    on:click=on(Event::HangupClicked)>
                    "Hang up"
                </button>
                // Only an agent with someone to hand over to sees this button.
                <button id="dial-agent2-button" type="button"
                    hidden=move || !console.with(|c| c.shows_dial_button())
                    disabled=move || !console.with(|c| c.can_dial_second_agent())
                    on:click=on(Event::DialRequested)>
                    "Dial agent 2 in"
                </button>
            </div>
        </section>
        <DialAlerts/>
    }
}

/// How often the console asks about customers whose agent could not be rung.
const ALERT_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// Customers waiting because a dial failed for good: shown to every agent so someone acts.
#[component]
fn DialAlerts() -> impl IntoView {
    let tick = crate::live::tick(ALERT_POLL);
    let alerts = Resource::new(move || tick.get(), |_| dial_failures());
    view! {
        <Transition fallback=|| ()>
            {move || alerts.get().and_then(Result::ok).filter(|a| !a.is_empty()).map(|list| view! {
                <section id="dial-alerts" class="panel alerts" aria-label="Alerts" role="alert">
                    <h2>"Waiting customers nobody could be rung for"</h2>
                    <ul>
                        {list.into_iter().map(|a| view! {
                            <li>{format!("Caller {} could not be connected to {}: {}",
                                if a.caller.is_empty() { "(unknown number)".to_string() } else { a.caller },
                                a.agent, a.error)}</li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </Transition>
    }
}

/// The reason a server function gave, without the framework's wrapping.
pub fn server_message(e: ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m,
        other => other.to_string(),
    }
}

/// On the server there is no phone: events go nowhere (the page is only rendered).
#[cfg(not(feature = "hydrate"))]
fn dispatcher(_console: RwSignal<Console>) -> std::rc::Rc<dyn Fn(Event)> {
    std::rc::Rc::new(|_| {})
}

#[cfg(feature = "hydrate")]
fn dispatcher(console: RwSignal<Console>) -> std::rc::Rc<dyn Fn(Event)> {
    super::driver::Driver::start(console)
}
