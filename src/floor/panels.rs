//! The floor's panels (browser only): today's tiles, the raised hands, every live call with the
//! supervisor's steps on it, and every agent with the supervisor's controls. Drawn only from the
//! server's floor (the stream); a step asks the server and shows its refusal in `#floor-status`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::stream::FloorStream;
use super::words;
use crate::api::floor::{monitor, stop_monitoring, supervise};
use crate::center::{FloorAgent, FloorCall, FloorView, Millis, MonitorMode, Presence, SupervisorStep};
use crate::ids::{AgentId, CallSid};
use crate::words::{caller, clock, leg};

pub fn all(me: AgentId, now: RwSignal<Millis>) -> impl IntoView {
    let view = RwSignal::new(None::<FloorView>);
    let link = RwSignal::new("Connecting to the floor…");
    let status = RwSignal::new(String::new());
    let stream = StoredValue::new_local(FloorStream::open(view, link).map_err(|e| web_sys::console::error_1(&e)).ok());
    on_cleanup(move || stream.set_value(None));
    let floor = move || view.get();
    let me = StoredValue::new(me);
    // The step's answer: nothing to show when it worked (the stream shows what changed).
    let ask = move |what: &'static str, step: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>| {
        status.set(String::new());
        spawn_local(async move {
            if let Err(e) = step.await {
                status.set(format!("Could not {what}: {e}"));
            }
        });
    };
    let watch = move |call: CallSid, mode: MonitorMode| {
        ask(
            match mode {
                MonitorMode::Listen => "listen",
                MonitorMode::Whisper => "whisper",
                MonitorMode::Barge => "barge in",
            },
            Box::pin(async move { monitor(call, mode).await.map(|_| ()).map_err(|e| e.to_string()) }),
        )
    };
    let leave = move || ask("leave the call", Box::pin(async move { stop_monitoring().await.map_err(|e| e.to_string()) }));
    let control = move |agent: AgentId, action: SupervisorStep, reason: Option<String>| {
        ask(
            "change the agent's presence",
            Box::pin(async move { supervise(agent, action, reason).await.map(|_| ()).map_err(|e| e.to_string()) }),
        )
    };
    let mine = move |c: &FloorCall| me.with_value(|me| c.monitors.iter().find(|m| &m.supervisor.id == me).map(|m| m.mode));

    view! {
        <section id="floor-panel" class="panel floor" aria-labelledby="floor-title">
            <h2 id="floor-title">"Floor"</h2>
            <p id="floor-link-status" class="live-status" role="status" hidden=move || link.get().is_empty()>{move || link.get()}</p>
            <p id="floor-status" class="form-error" role="alert">{move || status.get()}</p>
            // Twilio creates the account's calls at its pace: when that delays offers, say so.
            <p id="floor-pacing" class="pacing" role="status" hidden=move || floor().is_none_or(|f| f.pacing.is_none())>
                {move || floor().map(|f| words::pacing(f.pacing.as_ref(), now.get()))}</p>
            // The database away: the floor shows the live state it holds, and says so.
            <p id="floor-outage" class="form-error" role="alert" hidden=move || floor().is_none_or(|f| f.outage.is_none())>
                {move || floor().map(|f| words::outage(f.outage.as_ref(), now.get()))}</p>
            <div id="floor-tiles" class="tiles">
                <div class="tile" id="tile-waiting"><span class="tile-label">"Waiting now"</span>
                    <strong class="tile-value">{move || floor().map(|f| words::waiting(&f.queue))}</strong></div>
                <div class="tile" id="tile-longest"><span class="tile-label">"Longest wait now"</span>
                    <strong class="tile-value">{move || floor().map(|f| f.queue.longest_since.map(|s| clock(now.get() - s)).unwrap_or_else(|| "—".into()))}</strong></div>
                <div class="tile" id="tile-service-level"><span class="tile-label">"Service level today"</span>
                    <strong class="tile-value">{move || floor().map(|f| words::per_mille(f.queue.today.service_level))}</strong>
                    <small id="service-level-formula" class="formula">{move || floor().map(|f| f.queue.today.formula)}</small></div>
                <div class="tile" id="tile-counts"><span class="tile-label">"Today"</span>
                    <strong class="tile-value tile-small">{move || floor().map(|f| words::counts(&f.queue.today))}</strong></div>
                <div class="tile" id="tile-asa"><span class="tile-label">"Average speed of answer"</span>
                    <strong class="tile-value">{move || floor().map(|f| words::duration(f.queue.today.asa))}</strong></div>
                <div class="tile" id="tile-aht"><span class="tile-label">"Average handle time"</span>
                    <strong class="tile-value tile-small">{move || floor().map(|f| words::handle_time(&f.queue.today))}</strong></div>
                <div class="tile" id="tile-longest-today"><span class="tile-label">"Longest wait today"</span>
                    <strong class="tile-value">{move || floor().map(|f| clock(f.queue.today.longest_wait))}</strong></div>
            </div>

            <h3>"Asking for help"</h3>
            <ul id="floor-hands" class="hands">
                {move || floor().map(|f| f.calls.into_iter().filter(|c| c.help.is_some()).map(|c| {
                    let who = c.agent.as_ref().map(|a| a.name.clone()).unwrap_or_default();
                    let since = c.help.unwrap_or(0);
                    let sid = c.call.clone();
                    view! {
                        <li class="hand" data-call=c.call.to_string()>
                            {format!("{who} asked for help · ")} {move || clock(now.get() - since)} " "
                            <button type="button" class="listen-button primary" on:click=move |_| watch(sid.clone(), MonitorMode::Listen)>"Listen"</button>
                        </li>
                    }
                }).collect_view())}
            </ul>

            <h3>"Waiting"</h3>
            <ul id="floor-queue" class="callers">
                {move || floor().map(|f| f.queue.callers.into_iter().map(|w| view! {
                    <li data-call=w.call.to_string() data-voicemail=w.voicemail.to_string() data-callback=w.callback.to_string()>
                        {if w.voicemail { "Voicemail · " } else if w.callback { "Callback · " } else { "" }}
                        {caller(w.from.as_ref().map(|f| f.as_str()))} " · " {move || clock(now.get() - w.since)}
                    </li>
                }).collect_view())}
            </ul>

            <h3>"Calls"</h3>
            <ul id="floor-calls" class="floor-calls">
                {move || floor().map(|f| f.calls.into_iter().map(|c| {
                    let sid = StoredValue::new(c.call.clone());
                    let my_mode = mine(&c);
                    let step = move |mode: MonitorMode| move |_| watch(sid.get_value(), mode);
                    let monitorable = c.monitorable;
                    let pressed = move |mode: MonitorMode| (my_mode == Some(mode)).to_string();
                    let legs = c.legs.iter().map(leg).collect::<Vec<_>>().join("\n");
                    let monitors = c.monitors.iter().map(words::monitor).collect::<Vec<_>>().join("\n");
                    let line = c.clone();
                    view! {
                        <li class="floor-call" data-call=c.call.to_string() data-monitoring=my_mode.map(|m| m.as_str())>
                            <p class="floor-call-line">{move || words::call_line(&line, now.get())}</p>
                            <p class="legs">{legs}</p>
                            <p class="monitors">{monitors}</p>
                            <div class="actions" role="group" aria-label="Monitor">
                                <button type="button" class="listen-button" aria-pressed=pressed(MonitorMode::Listen) disabled=!monitorable on:click=step(MonitorMode::Listen)>"Listen"</button>
                                <button type="button" class="whisper-button" aria-pressed=pressed(MonitorMode::Whisper) disabled=!monitorable on:click=step(MonitorMode::Whisper)>"Whisper"</button>
                                <button type="button" class="barge-button" aria-pressed=pressed(MonitorMode::Barge) disabled=!monitorable on:click=step(MonitorMode::Barge)>"Barge"</button>
                                <button type="button" class="leave-monitor-button" hidden=my_mode.is_none() on:click=move |_| leave()>"Leave"</button>
                            </div>
                        </li>
                    }
                }).collect_view())}
            </ul>

            <h3>"Agents"</h3>
            <table id="floor-agents" class="floor-agents">
                <thead><tr><th>"Agent"</th><th>"Presence"</th><th>"Call"</th><th>"Handled"</th><th>"Missed"</th><th>"Supervise"</th></tr></thead>
                <tbody>
                    {move || floor().map(|f| {
                        let calls = StoredValue::new(f.calls.clone());
                        f.agents.into_iter().map(|a| agent_row(a, calls, now, control)).collect_view()
                    })}
                </tbody>
            </table>

            <h3>"Supervisors' actions today"</h3>
            <ul id="floor-log" class="floor-log">
                {move || floor().map(|f| f.log.into_iter().map(|r| view! { <li>{r.text}</li> }).collect_view())}
            </ul>
        </section>
        {super::hours::panel()}
        {super::accounts::panel()}
    }
}

fn agent_row(
    a: FloorAgent,
    calls: StoredValue<Vec<FloorCall>>,
    now: RwSignal<Millis>,
    control: impl Fn(AgentId, SupervisorStep, Option<String>) + Copy + 'static,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let id = StoredValue::new(a.id.clone());
    let can_away = matches!(a.presence, Presence::Available | Presence::Away { .. } | Presence::WrapUp { .. });
    let can_offline = !matches!(a.presence, Presence::Offline | Presence::OnCall { .. });
    let in_wrap_up = matches!(a.presence, Presence::WrapUp { .. });
    let row = StoredValue::new(a.clone());
    view! {
        <tr class="floor-agent" data-agent=a.id.to_string() data-presence=a.presence.word()>
            <td>{a.name.clone()}
                {(!a.queues.is_empty()).then(|| view! {
                    <span class="agent-queues hint">{format!(" · {}", a.queues.iter().map(|q| q.as_str()).collect::<Vec<_>>().join(", "))}</span>
                })}
            </td>
            <td class="agent-presence">{move || row.with_value(|a| words::agent_presence(a, now.get()))}</td>
            <td class="agent-call">{move || row.with_value(|a| calls.with_value(|c| words::agent_call(a, c, now.get())))}</td>
            <td class="agent-handled">{a.handled}</td>
            <td class="agent-missed">{a.missed}</td>
            <td class="agent-controls">
                <input type="text" class="away-reason" placeholder="reason" aria-label="Reason for away"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <button type="button" class="set-away-button" disabled=!can_away
                    on:click=move |_| control(id.get_value(), SupervisorStep::SetAway, Some(reason.get_untracked()))>"Set away"</button>
                <button type="button" class="set-offline-button" disabled=!can_offline
                    on:click=move |_| control(id.get_value(), SupervisorStep::SetOffline, None)>"Set offline"</button>
                <button type="button" class="end-wrap-up-button" disabled=!in_wrap_up
                    on:click=move |_| control(id.get_value(), SupervisorStep::EndWrapUp, None)>"End wrap-up"</button>
            </td>
        </tr>
    }
}
