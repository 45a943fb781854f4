//! The server binary's subcommands: `warm-transfer agent add|list|remove`, `hours`, `forget`, `backup`, and `stand-in`
//! (a local api.twilio.com for the browser tests, [`stand_in`]).
//! Passwords are read from standard input (a prompt without echo on a terminal), never from
//! argv, where any user of the machine could read them in the process list.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use crate::auth::hash_password;
use crate::center::AgentRole;
use crate::ids::AgentId;
use crate::store::Store;

mod bots;
mod hours;
mod simulator;
mod stand_in;
pub mod twilio_check;

pub const USAGE: &str = "usage:
  warm-transfer                                   serve the app (settings: README)
  warm-transfer agent add <identity> [--name \"Display Name\"] [--role agent|supervisor]
                                                  create an agent or reset their password;
                                                  the password is read from standard input
  warm-transfer agent list
  warm-transfer agent queues <identity> <sales,support>
                                                  the queues (skills) an agent takes; \"\" for all
  warm-transfer agent remove <identity>
  warm-transfer twilio check [--fix]              is the Twilio account ready (credentials, the
                                                  number, its voice webhook)? --fix points the
                                                  webhook at this app
  warm-transfer hours [show]                       the opening hours, and whether we are open
  warm-transfer hours set <FILE|->                  a new weekly schedule (README: the format)
  warm-transfer hours always-open                 no schedule: open around the clock
  warm-transfer hours close [REASON]              closed now, whatever the schedule says
  warm-transfer hours open                        the switch off: the schedule decides again
  warm-transfer forget <+E164>                     delete everything about one caller (a privacy
                                                  request) and say what was removed
  warm-transfer backup <FILE>                     a consistent copy of the SQLite database, taken
                                                  while the app runs (PostgreSQL: pg_dump)
  warm-transfer bots --app URL [--sim URL] [--agents 3] [--prefix bot]
                   [--callers 20 | --duration-secs S] [--rate 0.2] [--seed 1] [--patience-secs 60]
                   [--talk-secs 20] [--drain-secs 120]
                                                  caller and agent bots against a running app in
                                                  simulator mode (agents PREFIX1..N exist, their
                                                  password in BOTS_PASSWORD); prints
                                                  the summary as JSON; exit 1 if a caller was lost,
                                                  an agent offered two calls, or a bot failed
  warm-transfer stand-in [--port 3311]            a local api.twilio.com that accepts the app's
                                                  credentials (TWILIO_*), answers every request
                                                  and lists them at GET /requests (for tests)";

/// Runs a subcommand; `None` when the arguments ask to serve.
pub async fn run(args: &[String]) -> Option<ExitCode> {
    match args.first().map(String::as_str) {
        None => None,
        Some("agent") => Some(report(agent(&args[1..]).await)),
        Some("bots") => Some(bots::run(&args[1..]).await),
        Some("stand-in") => Some(report(stand_in::serve(&args[1..]).await)),
        Some("simulator") => Some(report(simulator::serve(&args[1..]).await)),
        Some("hours") => Some(report(async { hours::run(&store().await?, &args[1..]).await }.await)),
        Some("forget") => Some(report(forget(&args[1..]).await)),
        Some("twilio") if args.get(1).map(String::as_str) == Some("check") => Some(report(twilio_check::run(&args[2..]).await)),
        Some("backup") => Some(report(backup(&args[1..]).await)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Some(ExitCode::SUCCESS)
        }
        Some(other) => {
            eprintln!("warm-transfer: unknown command '{other}'\n{USAGE}");
            Some(ExitCode::from(2))
        }
    }
}

fn report(r: Result<String, String>) -> ExitCode {
    match r {
        Ok(msg) => {
            println!("{msg}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("warm-transfer: {msg}");
            ExitCode::from(1)
        }
    }
}

async fn store() -> Result<Store, String> {
    let _ = dotenvy::dotenv();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| crate::config::DEFAULT_DATABASE_URL.into());
    Store::connect(&url).await.map_err(|e| e.to_string())
}

async fn agent(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("add") => {
            let identity = args.get(1).ok_or("agent add needs an identity")?;
            let agent = AgentId::parse(identity).map_err(|e| e.0)?;
            let (mut name, mut role) = (agent.to_string(), AgentRole::Agent);
            let mut rest = args[2..].iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--name" => name = rest.next().cloned().ok_or("--name needs a value")?,
                    "--role" => {
                        let word = rest.next().ok_or("--role needs a value")?;
                        role = AgentRole::parse(word).ok_or_else(|| format!("--role must be agent or supervisor, not '{word}'"))?;
                    }
                    other => return Err(format!("unexpected argument '{other}'")),
                }
            }
            let password = read_password(&agent)?;
            let hash = hash_password(&password).map_err(|e| e.to_string())?;
            let store = store().await?;
            let created = store.upsert_agent(&agent, &name, &hash).await.map_err(|e| e.to_string())?;
            store.set_agent_role(&agent, role).await.map_err(|e| e.to_string())?;
            let role = role.as_str();
            Ok(if created {
                format!("agent {agent} ({name}, {role}) created")
            } else {
                format!("agent {agent} ({name}, {role}) updated; their sessions were signed out")
            })
        }
        Some("list") => {
            let agents = store().await?.accounts().await.map_err(|e| e.to_string())?;
            let queues = |a: &crate::center::Account| {
                if a.queues.is_empty() {
                    "every queue".to_string()
                } else {
                    a.queues.iter().map(|q| q.as_str()).collect::<Vec<_>>().join(",")
                }
            };
            Ok(agents.iter().map(|a| format!("{}\t{}\t{}\t{}", a.id, a.name, a.role.as_str(), queues(a))).collect::<Vec<_>>().join("\n"))
        }
        Some("queues") => {
            let identity = args.get(1).ok_or("agent queues needs an identity and a list (sales,support; \"\" for every queue)")?;
            let agent = AgentId::parse(identity).map_err(|e| e.0)?;
            let list = args.get(2).map(String::as_str).unwrap_or_default();
            let queues = crate::ids::QueueName::parse_list(list).map_err(|e| e.0)?;
            if !store().await?.set_agent_queues(&agent, &queues).await.map_err(|e| e.to_string())? {
                return Err(format!("no agent '{identity}'"));
            }
            Ok(match queues.is_empty() {
                true => format!("agent {agent} takes every queue"),
                false => format!("agent {agent} takes {}", list.trim()),
            })
        }
        Some("remove") => {
            let identity = args.get(1).ok_or("agent remove needs an identity")?;
            let agent = AgentId::parse(identity).map_err(|e| e.0)?;
            if store().await?.remove_agent(&agent).await.map_err(|e| e.to_string())? {
                Ok(format!("agent {identity} removed"))
            } else {
                Err(format!("no agent '{identity}'"))
            }
        }
        _ => Err(format!("unknown agent command\n{USAGE}")),
    }
}

/// `forget +E164`: everything about one caller goes; a call of theirs still live is left (the
/// running center holds it) and said, so the request can be run again once it is over.
async fn forget(args: &[String]) -> Result<String, String> {
    let [number] = args else { return Err(format!("forget needs one phone number\n{USAGE}")) };
    let number = crate::ids::PhoneNumber::parse(number).map_err(|e| e.0)?;
    let store = store().await?;
    let (removed, live) = store.forget_caller(number.as_str()).await.map_err(|e| e.to_string())?;
    // Deleted rows are not enough: their old copies in the database's files go too.
    let scrubbed = store.scrub().await.map_err(|e| e.to_string())?;
    let mut said = format!("forgot caller {number}: removed {removed}");
    if !scrubbed {
        said.push_str("; the database's write-ahead log was in use the whole time and still holds old copies: run this again");
    }
    if live > 0 {
        said.push_str(&format!("; {live} call(s) of theirs still live were left: run this again once they are over"));
    }
    Ok(said)
}

/// `backup FILE`: SQLite's `VACUUM INTO`, never over an existing file.
async fn backup(args: &[String]) -> Result<String, String> {
    let [file] = args else { return Err(format!("backup needs one file name\n{USAGE}")) };
    if std::path::Path::new(file).exists() {
        return Err(format!("{file} exists: choose a new file (a backup never overwrites one)"));
    }
    store().await?.backup_sqlite(file).await.map_err(|e| e.to_string())?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!("backup written to {file} ({size} bytes): a consistent copy of the database at one moment"))
}

fn read_password(agent: &AgentId) -> Result<String, String> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("Password for {agent} (not shown): ");
        let _ = std::io::stderr().flush();
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if tty {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.map_err(|e| format!("could not read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err("no password given on standard input".into());
    }
    Ok(password)
}
