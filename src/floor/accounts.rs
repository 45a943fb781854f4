//! The floor's account management (browser only): add an account (its temporary password shown
//! once), reset a password, disable or enable, remove; and the audit log naming who did what.
//! Read from the server after each change (these change rarely; nothing is pushed).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::accounts::{accounts, add_account, audit_log, remove_account, reset_password, set_account_disabled};
use crate::api::dto::{AccountInfo, AuditEntry};
use crate::center::AgentRole;
use crate::ids::AgentId;

pub fn panel() -> impl IntoView {
    let list = RwSignal::new(Vec::<AccountInfo>::new());
    let log = RwSignal::new(Vec::<AuditEntry>::new());
    let status = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let refresh = move || {
        spawn_local(async move {
            match accounts().await {
                Ok(a) => list.set(a),
                Err(e) => status.set(format!("Could not read the accounts: {e}")),
            }
            if let Ok(l) = audit_log().await {
                log.set(l);
            }
        })
    };
    refresh();
    let (identity, name, role) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(AgentRole::Agent));
    let add = move |_| {
        status.set(String::new());
        password.set(String::new());
        spawn_local(async move {
            // The identity typed is read here, as the server would read it: the same sentence
            // when it is not one.
            let added = match AgentId::parse(&identity.get_untracked()) {
                Ok(id) => add_account(id, name.get_untracked(), role.get_untracked()).await,
                Err(e) => Err(crate::error::ApiError::BadInput(e.0)),
            };
            match added {
                Ok(p) => {
                    password.set(format!("Temporary password for {}: {} (shown once: give it to them)", p.identity, p.password));
                    identity.set(String::new());
                    name.set(String::new());
                }
                Err(e) => status.set(format!("Could not add the account: {e}")),
            }
            refresh();
        });
    };
    let act = move |what: &'static str, agent: AgentId| {
        status.set(String::new());
        password.set(String::new());
        spawn_local(async move {
            let id = agent.clone();
            let done = match what {
                "reset" => reset_password(id)
                    .await
                    .map(|p| password.set(format!("Temporary password for {}: {} (shown once: give it to them)", p.identity, p.password))),
                "disable" => set_account_disabled(id, true).await,
                "enable" => set_account_disabled(id, false).await,
                _ => remove_account(id).await,
            };
            if let Err(e) = done {
                status.set(format!("Could not {what} {agent}: {e}"));
            }
            refresh();
        });
    };
    view! {
        <section id="accounts-panel" class="panel floor" aria-labelledby="accounts-title">
            <h2 id="accounts-title">"Accounts"</h2>
            <p id="accounts-status" class="form-error" role="alert">{move || status.get()}</p>
            <p id="account-password" class="password-once" role="status">{move || password.get()}</p>
            <div class="add-account" role="group" aria-label="Add an account">
                <input id="new-account-identity" type="text" placeholder="identity (e.g. agent7)" aria-label="Identity"
                    prop:value=move || identity.get() on:input=move |ev| identity.set(event_target_value(&ev))/>
                <input id="new-account-name" type="text" placeholder="display name" aria-label="Display name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <select id="new-account-role" aria-label="Role" on:change=move |ev| role.set(AgentRole::parse(&event_target_value(&ev)).unwrap_or_default())>
                    <option value="agent" selected=true>"agent"</option>
                    <option value="supervisor">"supervisor"</option>
                </select>
                <button id="add-account-button" type="button" class="primary" on:click=add>"Add account"</button>
            </div>
            <table id="accounts" class="floor-agents">
                <thead><tr><th>"Account"</th><th>"Name"</th><th>"Role"</th><th>"State"</th><th></th></tr></thead>
                <tbody>
                    {move || list.get().into_iter().map(|a| {
                        let id = StoredValue::new(a.identity.clone());
                        let toggle = if a.disabled { "enable" } else { "disable" };
                        view! {
                            <tr class="account" data-account=a.identity.to_string() data-disabled=a.disabled.to_string()>
                                <td>{a.identity.to_string()}</td>
                                <td>{a.name.clone()}</td>
                                <td>{a.role.as_str()}</td>
                                <td>{if a.disabled { "disabled" } else { "active" }}</td>
                                <td class="agent-controls">
                                    <button type="button" class="reset-password-button" on:click=move |_| act("reset", id.get_value())>"Reset password"</button>
                                    <button type="button" class=format!("{toggle}-button") on:click=move |_| act(toggle, id.get_value())>
                                        {if a.disabled { "Enable" } else { "Disable" }}
                                    </button>
                                    <button type="button" class="remove-button danger" on:click=move |_| act("remove", id.get_value())>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Audit log"</h3>
            <ul id="audit-log" class="floor-log">
                {move || log.get().into_iter().map(|r| view! { <li>{r.text}</li> }).collect_view()}
            </ul>
        </section>
    }
}
