//! `warm-transfer simulator --port P [--calls-per-second X] [--max-participants N]
//! [--max-concurrent-requests N]`: the built-in Twilio simulator as a process of its own, so that
//! several app instances (behind a load balancer, on one PostgreSQL) share one simulated account as
//! they would share one real account: one queue of paced calls, one set of conferences, one limit
//! on concurrent requests.
//!
//! Unlike `stand-in` it simulates ([`Answering::Simulate`]): it serves
//! - the REST API at its root, so each app instance runs with `TWILIO_API_BASE_URL=http://127.0.0.1:P`
//!   (the app nests the same router under `/sim` of its own address in simulator mode; here the
//!   simulator is the whole server) and the same `TWILIO_*` credentials;
//! - the simulated browsers' endpoints (`/simulator/events`, `/simulator/calls/…`, see
//!   `simulator::browser`), which the simulated Device requests on the page's own origin: route
//!   `/simulator/` of the app's public address here. The customers' phones are there too:
//!   `POST /simulator/calls` with `from=+E164` (a customer calls the support number; 201
//!   `{"call_sid": …}`), then `/simulator/calls/{CA}/…` to look, key digits, speak, hang up;
//! - one endpoint of its own, for what the app's `/simulator` page shows in-process in
//!   simulator mode: `GET /simulator/state` (everything going on, the queue of paced calls
//!   included, as JSON).
//!
//! Webhooks and callbacks are posted, signed with `TWILIO_AUTH_TOKEN`, to `PUBLIC_BASE_URL`: where
//! the app is reached (the load balancer), also the URL the app checks signatures against.
//! `TWILIO_NUMBER` is the support number. Settings are read as `stand-in` reads them (environment,
//! then an optional `.env`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::config::Secret;
use crate::simulator::{Answering, Simulator, SimulatorConfig};

/// The settings from the command line; the rest keep [`SimulatorConfig::new`]'s defaults.
#[derive(Debug, PartialEq)]
struct Options {
    port: u16,
    calls_per_second: Option<f64>,
    max_participants: Option<usize>,
    max_concurrent_requests: Option<usize>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let (mut port, mut cps, mut participants, mut requests) = (None, None, None, None);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = || rest.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                port = Some(v.parse().map_err(|_| format!("--port must be a port number, not '{v}'"))?);
            }
            "--calls-per-second" => {
                let v = value()?;
                let x: f64 = v.parse().map_err(|_| format!("--calls-per-second must be a number (0: no limit), not '{v}'"))?;
                if !x.is_finite() {
                    return Err(format!("--calls-per-second must be a number (0: no limit), not '{v}'"));
                }
                cps = Some(x);
            }
            "--max-participants" => {
                let v = value()?;
                participants = Some(v.parse().map_err(|_| format!("--max-participants must be a whole number (0: no limit), not '{v}'"))?);
            }
            "--max-concurrent-requests" => {
                let v = value()?;
                requests =
                    Some(v.parse().map_err(|_| format!("--max-concurrent-requests must be a whole number (0: no limit), not '{v}'"))?);
            }
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    let port = port.ok_or("--port is required: where the app's TWILIO_API_BASE_URL will point")?;
    Ok(Options { port, calls_per_second: cps, max_participants: participants, max_concurrent_requests: requests })
}

/// Serves until killed; the error says why it could not start.
pub async fn serve(args: &[String]) -> Result<String, String> {
    let opts = options(args)?;
    let _ = dotenvy::dotenv();
    let var = |name: &str, why: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty()).ok_or(format!("{name} must be set: {why}"));
    let creds = "the simulator accepts the app's credentials only";
    let public_base_url = var("PUBLIC_BASE_URL", "where the app is reached (e.g. its load balancer): webhooks are posted there")?;
    url::Url::parse(&public_base_url).map_err(|e| format!("PUBLIC_BASE_URL is not a URL ({e}): '{public_base_url}'"))?;
    let mut cfg = SimulatorConfig::new(
        &var("TWILIO_ACCOUNT_SID", creds)?,
        Secret::new(var("TWILIO_AUTH_TOKEN", "it signs every webhook, as the app checks")?),
        &var("TWILIO_API_KEY", creds)?,
        Secret::new(var("TWILIO_API_SECRET", creds)?),
        &public_base_url,
        &var("TWILIO_NUMBER", "the support number customers call")?,
    );
    cfg.answering = Answering::Simulate;
    // A load run's thousands of finished calls are nobody's business a minute later.
    cfg.forget_finished_after = Some(std::time::Duration::from_secs(60));
    // Webhooks of different calls in parallel, as Twilio sends them (one call's in order).
    cfg.lanes = 16;
    if let Some(cps) = opts.calls_per_second {
        cfg.calls_per_second = cps;
    }
    if let Some(max) = opts.max_participants {
        cfg.max_participants = max;
    }
    if let Some(max) = opts.max_concurrent_requests {
        cfg.max_concurrent_requests = max;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Recording URLs are written under the address the apps reach the API at.
    cfg.api_base_url = Some(format!("http://{addr}"));
    let limits = format!(
        "{} call(s) per second, {} participants per conference, {} requests in flight",
        limit_word(cfg.calls_per_second > 0.0, cfg.calls_per_second),
        limit_word(cfg.max_participants > 0, cfg.max_participants),
        limit_word(cfg.max_concurrent_requests > 0, cfg.max_concurrent_requests),
    );
    let webhooks = cfg.app_base_url.clone();
    let sim = Simulator::new(cfg);
    println!(
        "Twilio simulator listening on {addr}: TWILIO_API_BASE_URL=http://{addr}, webhooks to {webhooks}, \
         browsers' /simulator/ routes here; {limits}"
    );
    axum::serve(listener, app(sim)).await.map_err(|e| format!("simulator stopped: {e}"))?;
    Ok("simulator stopped".into())
}

fn limit_word(limited: bool, value: impl std::fmt::Display) -> String {
    if limited {
        value.to_string()
    } else {
        "unlimited".to_string()
    }
}

/// The REST API (its own authentication, limits and log) and the browsers' routes, with this
/// process's own state.
fn app(sim: Simulator) -> Router {
    let own = Router::new()
        .route("/simulator/state", get(|State(sim): State<Simulator>| async move { Json(sim.snapshot()) }))
        .with_state(sim.clone());
    crate::simulator::rest::router(sim.clone()).merge(crate::simulator::browser::router(sim)).merge(own)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_port_is_required_and_every_limit_is_optional() {
        let plain = Options { port: 3400, calls_per_second: None, max_participants: None, max_concurrent_requests: None };
        assert_eq!(options(&args("--port 3400")), Ok(plain));
        let all = options(&args("--port 0 --calls-per-second 0.5 --max-participants 10 --max-concurrent-requests 0")).unwrap();
        assert_eq!(all, Options { port: 0, calls_per_second: Some(0.5), max_participants: Some(10), max_concurrent_requests: Some(0) });
        assert!(options(&args("")).unwrap_err().contains("--port is required"));
        assert!(options(&args("--port")).unwrap_err().contains("needs a value"));
        assert!(options(&args("--port 1 --calls-per-second fast")).is_err());
        assert!(options(&args("--port 1 --calls-per-second inf")).is_err());
        assert!(options(&args("--port 1 --max-participants -1")).is_err());
        assert!(options(&args("--port 1 --verbose")).unwrap_err().contains("unexpected argument '--verbose'"));
    }

    #[tokio::test]
    async fn it_serves_the_rest_api_at_its_root_the_browsers_routes_and_its_own() {
        // Given the standalone simulator's routes (the app it posts to is nowhere)
        let cfg = SimulatorConfig::new(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            Secret::new("t"),
            "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            Secret::new("s"),
            "http://127.0.0.1:9",
            "+15005550006",
        );
        let app = app(Simulator::new(cfg));
        let send = |method: &str, uri: &str, body: &'static str| {
            let req = Request::builder().method(method).uri(uri).body(Body::from(body)).unwrap();
            let app = app.clone();
            async move {
                let res = app.oneshot(req).await.unwrap();
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
                (status, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default())
            }
        };

        // Then the REST API answers at the root, with its own authentication
        let (status, body) = send("GET", "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Calls.json", "").await;
        assert_eq!((status, body["code"].as_u64()), (StatusCode::UNAUTHORIZED, Some(20003)));

        // And a customer can call in, and the state shows the call and the queue of paced calls
        let (status, called) = send("POST", "/simulator/calls", "from=%2B15551230000").await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, state) = send("GET", "/simulator/state", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(state["calls"][0]["call_sid"], called["call_sid"]);
        assert_eq!(state["calls"][0]["direction"], "inbound");
        assert_eq!((state["pacing"]["waiting"].as_u64(), state["pacing"]["interval_ms"].as_u64()), (Some(0), Some(1000)));
        assert_eq!(send("POST", "/simulator/calls", "from=12").await.0, StatusCode::BAD_REQUEST);

        // And the browsers' routes are there
        let unknown = format!("/simulator/calls/CA{}/answer", "0".repeat(32));
        assert_eq!(send("POST", &unknown, "").await.0, StatusCode::NOT_FOUND);
    }
}
