//! `warm-transfer bots`: caller and agent bots against a running app (see `crate::bots`), the
//! summary printed as JSON. The agents' accounts must exist (`agent add bot1` …, or demo mode).
//! Their password comes from `BOTS_PASSWORD` only: a password on a command line is seen by every
//! user of the machine (`ps`) and kept in shell histories, test accounts or not.

use std::process::ExitCode;
use std::time::Duration;

use crate::bots::{self, BotsConfig};

const USAGE: &str = "usage: warm-transfer bots --app URL [--sim URL] [--agents 3] [--prefix bot]
       [--callers 20 | --duration-secs S] [--rate 0.2] [--seed 1] [--patience-secs 60] [--talk-secs 20]
       [--answer-secs 2] [--drain-secs 120] [--report FILE]
       warm-transfer bots --app URL --agents N --storm-secs S   (presence changes as fast as they go)
The agents' password is read from BOTS_PASSWORD.";

pub async fn run(args: &[String]) -> ExitCode {
    // `--report FILE`: the whole summary with what was measured over time (scripts/load.sh).
    let (report, args) = match args.iter().position(|a| a == "--report") {
        Some(i) if i + 1 < args.len() => (Some(args[i + 1].clone()), [&args[..i], &args[i + 2..]].concat()),
        _ => (None, args.to_vec()),
    };
    // `--storm-secs S`: no callers; every agent toggles its presence as fast as it can for S
    // seconds (scripts/load.sh --ceiling: how many decisions a second the database carries).
    let (storm, args) = match args.iter().position(|a| a == "--storm-secs") {
        Some(i) if i + 1 < args.len() => match args[i + 1].parse::<f64>() {
            Ok(secs) if secs > 0.0 => (Some(secs), [&args[..i], &args[i + 2..]].concat()),
            _ => {
                eprintln!("warm-transfer bots: --storm-secs: a number of seconds\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => (None, args),
    };
    let config = match parse(&args, |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warm-transfer bots: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(secs) = storm {
        let storm = bots::runner::storm(&config, Duration::from_secs_f64(secs)).await;
        println!("{}", serde_json::to_string_pretty(&storm).unwrap_or_default());
        return if storm.decisions > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) };
    }
    let mut summary = bots::run(config).await;
    if let Some(path) = report {
        if let Err(e) = std::fs::write(&path, serde_json::to_string(&summary).unwrap_or_default()) {
            eprintln!("warm-transfer bots: could not write the report to {path}: {e}");
            return ExitCode::from(1);
        }
    }
    summary.series = None;
    println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    if summary.clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse(args: &[String], env: impl Fn(&str) -> Option<String>) -> Result<BotsConfig, String> {
    let mut flags = std::collections::HashMap::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{flag}'"))?;
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        flags.insert(name.to_string(), value.clone());
    }
    let take = |name: &str| flags.get(name).cloned();
    fn num<T: std::str::FromStr>(name: &str, v: Option<String>) -> Result<Option<T>, String> {
        v.map(|v| v.parse().map_err(|_| format!("--{name}: not a number: '{v}'"))).transpose()
    }
    if flags.contains_key("password") {
        return Err("--password is not taken on the command line (other users see it in `ps`): set BOTS_PASSWORD".into());
    }
    const KNOWN: [&str; 12] = [
        "app",
        "sim",
        "agents",
        "prefix",
        "callers",
        "duration-secs",
        "rate",
        "seed",
        "patience-secs",
        "talk-secs",
        "drain-secs",
        "answer-secs",
    ];
    if let Some(unknown) = flags.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!("unknown flag --{unknown}"));
    }
    let app = take("app").ok_or("--app URL is needed (the app's base URL, e.g. http://127.0.0.1:3000)")?;
    let password = env("BOTS_PASSWORD").filter(|p| !p.is_empty()).ok_or("BOTS_PASSWORD is needed (the bot agents' password)")?;
    let agents = num("agents", take("agents"))?.unwrap_or(3);
    let mut c = BotsConfig::new(&app, agents, &password, num("seed", take("seed"))?.unwrap_or(1));
    if let Some(sim) = take("sim") {
        c.sim = sim.trim_end_matches('/').to_string();
    }
    if let Some(prefix) = take("prefix") {
        c.prefix = prefix;
    }
    c.callers = num("callers", take("callers"))?;
    c.duration = num::<f64>("duration-secs", take("duration-secs"))?.map(Duration::from_secs_f64);
    if c.callers.is_none() && c.duration.is_none() {
        c.callers = Some(20);
    }
    if let Some(rate) = num::<f64>("rate", take("rate"))? {
        c.caller_mix.rate_per_sec = rate;
    }
    if let Some(p) = num::<f64>("patience-secs", take("patience-secs"))? {
        c.caller_mix.patience.median = p;
        c.caller_mix.patience.min = c.caller_mix.patience.min.min(p);
    }
    if let Some(t) = num::<f64>("talk-secs", take("talk-secs"))? {
        c.agent_mix.talk.median = t;
        c.agent_mix.talk.min = c.agent_mix.talk.min.min(t);
    }
    if let Some(a) = num::<f64>("answer-secs", take("answer-secs"))? {
        c.agent_mix.answer_delay = bots::plan::Between { min: a / 2.0, max: a * 1.5 };
    }
    if let Some(d) = num::<f64>("drain-secs", take("drain-secs"))? {
        c.drain = Duration::from_secs_f64(d);
    }
    if !(1..=1000).contains(&c.agents) || c.caller_mix.rate_per_sec <= 0.0 {
        return Err("--agents: 1 to 1000; --rate: more than 0 callers a second".into());
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_set_the_run_and_the_password_comes_from_the_environment_only() {
        let pw = |k: &str| (k == "BOTS_PASSWORD").then(|| "pw".to_string());
        let c = parse(&args("--app http://a:1/ --agents 4 --callers 9 --rate 2 --seed 5 --talk-secs 3"), pw).unwrap();
        assert_eq!((c.app.as_str(), c.sim.as_str(), c.agents, c.callers, c.seed), ("http://a:1", "http://a:1", 4, Some(9), 5));
        assert_eq!((c.caller_mix.rate_per_sec, c.agent_mix.talk.median, c.agent_mix.talk.min), (2.0, 3.0, 3.0));
        assert_eq!(c.agent_ids(), ["bot1", "bot2", "bot3", "bot4"]);
        let c = parse(&args("--app http://a --sim http://s --duration-secs 30"), pw).unwrap();
        assert_eq!((c.sim.as_str(), c.password.as_str(), c.callers, c.duration), ("http://s", "pw", None, Some(Duration::from_secs(30))));
        assert_eq!(parse(&args("--app http://a"), pw).unwrap().callers, Some(20), "a bounded run by default");
        for bad in ["--agents 3", "--app http://a --rate x", "--app http://a --colour red", "stray"] {
            assert!(parse(&args(bad), pw).is_err(), "{bad}");
        }
        assert!(parse(&args("--app http://a"), |_| None).unwrap_err().contains("BOTS_PASSWORD"));
        let on_the_line = parse(&args("--app http://a --password p"), pw).unwrap_err();
        assert!(on_the_line.contains("BOTS_PASSWORD") && !on_the_line.contains(" p "), "{on_the_line}");
    }
}
