//! The console page. Rendering reads the state machine only; clicks become [`Event`]s handed to
//! the driver, which runs the machine's effects against the Voice SDK and the server.

use leptos::prelude::*;

use super::state::{first_agent, second_agent, Console, Event};

#[component]
pub fn ConsolePage() -> impl IntoView {
    let console = RwSignal::new(Console::new());
    let dispatch = dispatcher(console);

    // Marks the page as live once hydrated, so tests (and people) can tell the buttons work.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    let status = move || console.with(|c| c.status_text());
    let can_connect = move || console.with(|c| c.can_connect());
    let on = |event: Event| {
        let dispatch = dispatch.clone();
        move |_| dispatch(event.clone())
    };

    view! {
        <main class="console">
            <header class="console-header">
                <h1>"Support console"</h1>
                <p id="call-status" class="status" role="status" aria-live="polite"
                    class:error=move || console.with(|c| c.status_text().starts_with("ERROR"))>
                    {status}
                </p>
            </header>
            <section class="panel" aria-label="Who are you?">
                <h2>"Agent"</h2>
                <div class="buttons">
                    <button id="connect-agent1-button" type="button" disabled=move || !can_connect()
                        on:click=on(Event::ConnectRequested(first_agent()))>
                        "Connect as Agent 1"
                    </button>
                    <button id="connect-agent2-button" type="button" disabled=move || !can_connect()
                        on:click=on(Event::ConnectRequested(second_agent()))>
                        "Connect as Agent 2"
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
        </main>
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
