//! `/simulator`: a live view of the simulated Twilio — every conference with its participants,
//! every call with its status, what it hears and the digits keyed — beside the app's queue and its
//! agents' presence. Finished ones are listed apart, greyed. A call waiting in a `<Gather>` or
//! `<Record>` says so; the recordings kept and what Twilio's debugger would show (13238 …) are
//! listed at the end. Its one control plugs an agent's simulated headset out and back in, to try
//! the console when the audio devices change.

use leptos::prelude::*;

use super::parts::{conference_status_text, poll_tick, SimHeader};
use crate::api::simulator::{sim_state, AgentPresenceDto, SimCallDto, SimConferenceDto, SimParticipantDto, SimStateDto};

#[component]
pub fn MonitorPage() -> impl IntoView {
    let tick = poll_tick();
    let _hydrated = crate::live::hydrated();
    let state = Resource::new(move || tick.get(), |_| sim_state());
    view! {
        <main class="console sim-page sim-monitor">
            <SimHeader title="Simulated Twilio" current="/simulator"/>
            <p class="sim-intro">
                "What the built-in Twilio is doing, live. Place a call from the "
                <a href="/phone">"customer phone"</a> " and answer it in the "
                <a href="/">"agent console"</a> "."
            </p>
            <Transition fallback=|| view! { <p id="sim-summary" class="status">"Loading…"</p> }>
                {move || state.get().map(|result| match result {
                    Ok(s) => monitor_view(s).into_any(),
                    Err(e) => view! {
                        <p id="sim-summary" class="status error" role="status">{format!("ERROR: {}", e)}</p>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn monitor_view(s: SimStateDto) -> impl IntoView {
    let (live_confs, done_confs): (Vec<_>, Vec<_>) = s.conferences.iter().partition(|c| c.is_live());
    let (live_calls, done_calls): (Vec<_>, Vec<_>) = s.calls.iter().partition(|c| c.is_live());
    let summary = format!(
        "{} · {}",
        plural(live_calls.len(), "live call", "live calls"),
        plural(live_confs.len(), "live conference", "live conferences")
    );
    // Newest first in the finished lists: that is what one looks for.
    let conferences = (
        item_list(live_confs.iter().map(|c| conference_item(c, false)).collect(), "No live conference."),
        item_list(done_confs.iter().rev().map(|c| conference_item(c, true)).collect(), "None yet."),
    );
    let calls = (
        item_list(live_calls.iter().map(|c| call_item(c, false)).collect(), "No live call."),
        item_list(done_calls.iter().rev().map(|c| call_item(c, true)).collect(), "None yet."),
    );
    let queue = item_list(
        s.queue
            .iter()
            .enumerate()
            .map(|(i, q)| {
                view! {
                    <li class="sim-item sim-queued" data-sid=q.call_sid.clone()>
                        <strong>{format!("{}. {}", i + 1, q.from)}</strong> " " <code>{q.call_sid.clone()}</code>
                    </li>
                }
                .into_any()
            })
            .collect(),
        "Nobody is waiting.",
    );
    let agents = item_list(
        s.agents
            .iter()
            .map(|a| {
                view! {
                    <li class="sim-item sim-agent" data-agent=a.id.clone() data-presence=a.presence.clone() data-headset=a.headset.to_string()>
                        <strong>{a.id.clone()}</strong> " " <span class="pill">{a.presence.clone()}</span> {headset_form(a)}
                    </li>
                }
                .into_any()
            })
            .collect(),
        "No agents.",
    );
    let recordings = item_list(
        s.recordings
            .iter()
            .map(|r| {
                view! {
                    <li class="sim-item sim-recording" data-sid=r.sid.clone() data-call-sid=r.call_sid.clone()>
                        <strong>{format!("{} s", r.duration_secs)}</strong> " “" {r.text.clone()} "” "
                        <code>{r.sid.clone()}</code> " · call " <code>{r.call_sid.clone()}</code>
                    </li>
                }
                .into_any()
            })
            .collect(),
        "None.",
    );
    // Newest first.
    let notifications = item_list(
        s.notifications
            .iter()
            .rev()
            .map(|n| {
                let code = n.code.map(|c| format!("{c} ")).unwrap_or_default();
                view! {
                    <li class="sim-item sim-notification" data-code=n.code.map(|c| c.to_string()).unwrap_or_default()>
                        <strong>{code}</strong> {n.message.clone()} " "
                        <span class="sim-muted">{n.date.clone()} " " {n.call_sid.clone().unwrap_or_default()}</span>
                    </li>
                }
                .into_any()
            })
            .collect(),
        "Nothing to report.",
    );
    view! {
        <p id="sim-summary" class="status" role="status" aria-live="polite">{summary}</p>
        <section id="sim-queue" class="panel" aria-labelledby="sim-queue-title">
            <h2 id="sim-queue-title">{format!("Queue ({} waiting)", s.queue.len())}</h2>
            {queue}
            <h3>"Agents"</h3>
            {agents}
        </section>
        <section id="sim-conferences" class="panel" aria-labelledby="sim-conferences-title">
            <h2 id="sim-conferences-title">"Conferences"</h2>
            {conferences.0}
            <h3 class="sim-finished-title">"Finished"</h3>
            <div class="sim-finished">{conferences.1}</div>
        </section>
        <section id="sim-calls" class="panel" aria-labelledby="sim-calls-title">
            <h2 id="sim-calls-title">"Calls"</h2>
            <p id="sim-pacing" class="sim-pacing" data-waiting=s.pacing.waiting.to_string()>{s.pacing.words()}</p>
            {calls.0}
            <h3 class="sim-finished-title">"Finished"</h3>
            <div class="sim-finished">{calls.1}</div>
        </section>
        <section id="sim-recordings" class="panel" aria-labelledby="sim-recordings-title">
            <h2 id="sim-recordings-title">"Recordings"</h2>
            {recordings}
        </section>
        <section id="sim-notifications" class="panel" aria-labelledby="sim-notifications-title">
            <h2 id="sim-notifications-title">"Debugger"</h2>
            {notifications}
        </section>
    }
}

/// Plugs the agent's simulated headset out or back in. A plain form, with no code of its own: the
/// endpoint answers 204, so the browser stays on the page, and the next poll shows the change.
fn headset_form(a: &AgentPresenceDto) -> impl IntoView {
    let (plugged, text) = if a.headset { ("false", "Unplug headset") } else { ("true", "Plug headset in") };
    view! {
        <form class="sim-headset" method="post" action=format!("/simulator/agents/{}/headset", a.id)>
            <input type="hidden" name="plugged" value=plugged/>
            <button type="submit">{text}</button>
        </form>
    }
}

fn item_list(items: Vec<AnyView>, empty: &'static str) -> AnyView {
    if items.is_empty() {
        view! { <p class="sim-empty">{empty}</p> }.into_any()
    } else {
        view! { <ul class="sim-list">{items}</ul> }.into_any()
    }
}

fn conference_item(c: &SimConferenceDto, finished: bool) -> AnyView {
    let ended = c.reason_ended.clone().map(|r| format!(" — {r}"));
    view! {
        <li class="sim-item sim-conference" class:finished=finished data-sid=c.sid.clone() data-status=c.status.clone()>
            <p class="sim-item-head">
                <strong>"Conference " {c.friendly_name.clone()}</strong>
                <span class="pill" class:pill-live=!finished>{conference_status_text(&c.status).to_string()}</span>
            </p>
            <p class="sim-muted"><code>{c.sid.clone()}</code> " · " {c.status.clone()} {ended}</p>
            {if c.participants.is_empty() {
                view! { <p class="sim-empty">"No participants."</p> }.into_any()
            } else {
                view! {
                    <ul class="sim-participants" aria-label="Participants">
                        {c.participants.iter().map(participant_item).collect_view()}
                    </ul>
                }.into_any()
            }}
        </li>
    }
    .into_any()
}

fn participant_item(p: &SimParticipantDto) -> impl IntoView {
    let flags: Vec<&'static str> = [(p.status == "ringing", "ringing"), (p.on_hold, "on hold"), (p.muted, "muted")]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect();
    view! {
        <li class="sim-participant" data-call-sid=p.call_sid.clone() data-label=p.label.clone()>
            <strong>{p.name.clone()}</strong> " "
            {flags.into_iter().map(|f| view! { <span class="flag">{f}</span> " " }).collect_view()}
            {p.coaching.clone().map(|who| view! { <span class="flag flag-coaching">"coaching " {who} " (only they hear it)"</span> " " })}
            <code>{p.call_sid.clone()}</code>
            <span class="sim-hears">"hears: " {p.hearing.clone()}</span>
        </li>
    }
}

/// What the network can do to a browser's live call, as its Device reports it: plain forms, like
/// the headset's (the endpoint answers 204, so the page stays).
fn quality_forms(sid: &str) -> impl IntoView {
    let action = format!("/simulator/calls/{sid}/quality");
    let form = move |event: &'static str, name: &'static str, text: &'static str| {
        view! {
            <form class="sim-quality" method="post" action=action.clone()>
                <input type="hidden" name="event" value=event/>
                <input type="hidden" name="name" value=name/>
                <button type="submit" data-event=event>{text}</button>
            </form>
        }
    };
    view! {
        // A div, not a p: a form inside a p ends the p in the browser's parser, and hydration
        // would find another page than the one the server wrote.
        <div class="sim-quality-controls">
            {form("warning", "high-rtt", "Poor connection")}
            {form("warning-cleared", "high-rtt", "Connection fine")}
            {form("reconnecting", "", "Drop the media")}
            {form("reconnected", "", "Media back")}
        </div>
    }
}

fn call_item(c: &SimCallDto, finished: bool) -> AnyView {
    let conference = c.conference_sid.clone().map(|sid| view! { " · conference " <code>{sid}</code> });
    let digits: Vec<String> = [("keyed", &c.digits_sent), ("heard", &c.digits_heard)]
        .into_iter()
        .filter(|(_, d)| !d.is_empty())
        .map(|(verb, d)| format!("{verb} {d}"))
        .collect();
    let digits = (!digits.is_empty()).then(|| view! { <p class="sim-digits">"DTMF: " {digits.join(" · ")}</p> });
    let beeps = (!c.beeps.is_empty()).then(|| view! { <p class="sim-beeps">"beeps heard: " {c.beeps.join(" · ")}</p> });
    let quality = (c.to.starts_with("client:") && c.status == "in-progress").then(|| quality_forms(&c.sid));
    let listening = c.listening.as_ref().map(|l| {
        let what = match l.kind.as_str() {
            "gather" => format!("gathering ({}) — so far: {}", if l.speech { "keys or speech" } else { "keys" }, l.so_far),
            _ => format!("recording — said so far: {}", l.so_far),
        };
        view! { <p class="sim-listening" data-kind=l.kind.clone()>{what}</p> }
    });
    let on_page = c.rings_on_page.then(|| view! { <span class="flag">"on the phone page"</span> });
    view! {
        <li class="sim-item sim-call" class:finished=finished data-sid=c.sid.clone() data-status=c.status.clone()>
            <p class="sim-item-head">
                <strong>{c.from.clone()} " → " {c.to.clone()}</strong>
                <span class="pill" class:pill-live=!finished>{c.status.clone()}</span>
            </p>
            <p class="sim-hears">"hears: " {if c.now_hearing.is_empty() { "nothing".to_string() } else { c.now_hearing.clone() }}</p>
            {listening}
            {on_page}
            {digits}
            {beeps}
            {quality}
            <p class="sim-muted"><code>{c.sid.clone()}</code> " · " {c.direction.clone()} {conference}</p>
        </li>
    }
    .into_any()
}
