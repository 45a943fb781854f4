//! `warm-transfer stand-in`: a local api.twilio.com for the browser tests, which play Twilio's
//! webhooks by hand. It is the built-in simulator answering only ([`Answering::Echo`]), as the
//! integration tests use it in-process: the app's credentials are checked, every request succeeds
//! from its own contents, and `GET /requests` lists them all (form, Basic user, status, created
//! SID) as JSON.

use std::time::Duration;

use axum::routing::get;
use axum::Json;

use crate::config::Secret;
use crate::simulator::{Answering, Simulator, SimulatorConfig};

/// Serves until killed; the error says why it could not start.
pub async fn serve(args: &[String]) -> Result<String, String> {
    let mut port: u16 = 3311;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--port" => {
                let value = rest.next().ok_or("--port needs a value")?;
                port = value.parse().map_err(|_| format!("--port must be a port number, not '{value}'"))?;
            }
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    let _ = dotenvy::dotenv();
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or(format!("{name} must be set: the stand-in accepts the app's credentials only"))
    };
    let mut cfg = SimulatorConfig::new(
        &var("TWILIO_ACCOUNT_SID")?,
        Secret::new(var("TWILIO_AUTH_TOKEN")?),
        &var("TWILIO_API_KEY")?,
        Secret::new(var("TWILIO_API_SECRET")?),
        &std::env::var("PUBLIC_BASE_URL").unwrap_or_default(),
        &std::env::var("TWILIO_NUMBER").unwrap_or_default(),
    );
    cfg.answering = Answering::Echo;
    cfg.request_log = 1_000_000;
    // Nothing ticks in Echo; a slow tick costs nothing.
    cfg.tick_interval = Duration::from_secs(60);
    let sim = Simulator::new(cfg);
    let log = sim.clone();
    let app = crate::simulator::rest::router(sim).route("/requests", get(move || async move { Json(log.api_requests()) }));
    let listener =
        tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Twilio stand-in listening on {addr}: TWILIO_API_BASE_URL=http://{addr}, requests at /requests");
    axum::serve(listener, app).await.map_err(|e| format!("stand-in stopped: {e}"))?;
    Ok("stand-in stopped".into())
}
