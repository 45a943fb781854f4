//! Wires settings, storage, the Twilio client, the contact center, the effects worker and every route into one server.
//! `Application::build` binds first and reports the port, so tests can start it on port 0.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, MethodFilter};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;

use crate::calls::effects::EffectsWorker;
use crate::config::{Mode, Settings, DEMO_AGENTS, DEMO_PASSWORD, DEMO_SUPERVISOR};
use crate::pages::{shell, Page};
use crate::simulator::{Simulator, SimulatorConfig};
use crate::state::{AppState, Shared};
use crate::store::{Store, StoreError};
use crate::twilio::rest::{RestConfig, TwilioClient};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("could not set up the demo agents: {0}")]
    Demo(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    port: u16,
}

/// Where the npm package puts the SDK bundle; `VOICE_SDK_PATH` overrides it.
fn voice_sdk_path() -> String {
    std::env::var("VOICE_SDK_PATH").unwrap_or_else(|_| "node_modules/@twilio/voice-sdk/dist/twilio.min.js".into())
}

fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    LeptosOptions::builder()
        .output_name(env("LEPTOS_OUTPUT_NAME", "warm-transfer"))
        .site_root(env("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR", "pkg"))
        .env(if env("LEPTOS_ENV", "PROD").eq_ignore_ascii_case("DEV") { leptos::config::Env::DEV } else { leptos::config::Env::PROD })
        .site_addr(addr)
        .build()
}

impl Application {
    pub async fn build(mut settings: Settings) -> Result<Self, StartError> {
        if !settings.verify_signatures {
            tracing::warn!("!!! TWILIO_VERIFY_SIGNATURES=false: anyone can forge Twilio webhooks. Local development only. !!!");
        }
        let store = Store::connect(&settings.database_url).await?;
        let listener = tokio::net::TcpListener::bind(settings.listen_addr)
            .await
            .map_err(|source| StartError::Bind { addr: settings.listen_addr, source })?;
        let local = listener.local_addr().map_err(|source| StartError::Bind { addr: settings.listen_addr, source })?;
        // URLs that follow the bound address (port 0 in tests) are only known now.
        let local_url = format!(
            "http://{}:{}",
            if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() },
            local.port()
        );
        if !settings.public_base_url_given {
            settings.public_base_url = local_url.clone();
        }
        let simulator = match settings.mode {
            Mode::Twilio => None,
            Mode::Simulator => Some(start_simulator(&mut settings, &store, &local_url).await?),
        };
        let twilio = TwilioClient::new(RestConfig {
            base_url: settings.twilio.api_base_url.clone(),
            account_sid: settings.twilio.account_sid.clone(),
            username: settings.twilio.api_key.clone(),
            password: settings.twilio.api_secret.clone(),
            timeout: settings.twilio.request_timeout,
        });
        let voice_sdk = if simulator.is_some() {
            Some(Arc::from(crate::simulator::browser::DEVICE_JS.as_bytes()))
        } else {
            match std::fs::read(voice_sdk_path()) {
                Ok(bytes) => Some(Arc::from(bytes)),
                Err(e) => {
                    tracing::warn!(path = %voice_sdk_path(), error = %e, "Twilio Voice SDK bundle not found: run `npm ci`");
                    None
                }
            }
        };
        let settings = Arc::new(settings);
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let hours = crate::runtime::OpeningHours::start(&store).await?;
        let center = crate::runtime::Center::start(&store, settings.rules(), hours.clone(), metrics.clone()).await?;
        let state = AppState(Arc::new(Shared {
            settings: settings.clone(),
            store: store.clone(),
            twilio: twilio.clone(),
            center: center.clone(),
            floor: crate::runtime::Floor::new(center.clone(), store.clone(), center.health().clone(), settings.floor.clone()),
            hours,
            leptos_options: leptos_options(local),
            voice_sdk,
            simulator,
            signature_key: crate::twilio::signature::Key::new(settings.twilio.auth_token.expose()),
            signature_refusals: Default::default(),
            metrics: metrics.clone(),
        }));
        tokio::spawn(crate::runtime::retention::purge_loop(store.clone(), settings.retention));
        if settings.check_at_start && settings.mode == Mode::Twilio {
            // What `warm-transfer twilio check` finds, as one warning line each.
            let settings = settings.clone();
            tokio::spawn(async move {
                for f in crate::cli::twilio_check::check(&settings, false).await.findings.into_iter().filter(|f| !f.ok) {
                    tracing::warn!(finding = %f.text, "Twilio is not ready for this app");
                }
            });
        }
        // Callers and callbacks kept aside while the database is away are written once it is back.
        tokio::spawn(crate::calls::aside::run(state.clone()));
        // Effects left pending by a previous run are picked up on the worker's first pass.
        tokio::spawn(EffectsWorker { store, center, twilio, settings, metrics }.run());
        Ok(Self { listener, router: router(state), port: local.port() })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(without_delay(self.listener), self.router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }
}

/// Every connection accepted with `TCP_NODELAY`: a console stream writes events back to back
/// (the directory, then the view), and with Nagle's algorithm on, the second waited for the
/// browser's delayed ACK: 40-200 ms behind the first (measured across instances under load).
pub fn without_delay(listener: tokio::net::TcpListener) -> impl axum::serve::Listener<Io = tokio::net::TcpStream, Addr = SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not turn Nagle's algorithm off on a connection");
        }
    })
}

/// Every route: Twilio's webhooks, health, the SDK bundle, the console and its server functions.
pub fn router(state: AppState) -> Router {
    // Rendering spawns on Leptos's executor; `leptos_routes` used to set it up, and the pages
    // are routed here instead (see `app`). An error only means it is already set.
    let _ = any_spawner::Executor::init_tokio();
    let simulator = state.simulator.clone();
    let mut app = Router::new()
        .merge(crate::webhooks::router())
        .route("/healthz", get(healthz))
        .route("/api/stream", get(crate::api::stream::stream))
        .route("/api/floor/stream", get(crate::api::floor_stream::stream))
        .route("/api/voicemail/{call}/audio", get(crate::api::voicemail::audio))
        .route("/metrics", get(crate::api::metrics::metrics))
        .route("/vendor/twilio.min.js", get(voice_sdk));
    // Pages and server functions find the state in their reactive context.
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    // Each page is a document of its own (see `app`).
    for page in Page::ROUTED {
        let options = state.leptos_options.clone();
        let render = leptos_axum::render_app_to_stream_with_context(context.clone(), move || shell(options.clone(), page));
        let path = page.path().expect("routed pages have a path");
        if page == Page::Floor {
            // The floor's page is a supervisor's: an agent signed in gets 403 (signed out, the
            // page shows the sign-in form, as the console does).
            let state = state.clone();
            app = app.route(
                path,
                get(move |req: Request| {
                    let (state, render) = (state.clone(), render.clone());
                    async move {
                        match floor_gate(&state, req.headers()).await {
                            Some(refused) => refused,
                            None => render(req).await.into_response(),
                        }
                    }
                }),
            );
        } else {
            app = app.route(path, get(move |req: Request| render(req)).head(page_head));
        }
    }
    // Server functions at their stable `/api/...` endpoints.
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let context = context.clone();
        let handler = move |req: Request| async move {
            let res = leptos_axum::handle_server_fns_with_context(context, req).await;
            error_status(res.into_response()).await
        };
        app = app.route(path, on(MethodFilter::try_from(method).expect("server functions use plain HTTP methods"), handler));
    }
    let app = app
        // Files under the site root (the WASM, CSS), else the 404 page.
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(|options| shell(options, Page::NotFound)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), same_origin_guard))
        .with_state(state);
    match simulator {
        // The simulator's REST API answers at TWILIO_API_BASE_URL = {base}/sim.
        Some(sim) => app.nest_service("/sim", crate::simulator::rest::router(sim.clone())).merge(crate::simulator::browser::router(sim)),
        None => app,
    }
}

/// `HEAD` of a page: its headers, without rendering a page nobody reads (a render whose response
/// is dropped at once finds its reactive values disposed under it).
async fn page_head() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], "").into_response()
}

/// Who may open the floor's page: `None` lets it render (a supervisor, or nobody signed in yet:
/// the page then asks to sign in); otherwise the answer to send instead. The supervisor guard is
/// the floor's stream's and steps' own (`api::caller`).
async fn floor_gate(state: &AppState, headers: &axum::http::HeaderMap) -> Option<Response> {
    use crate::api::caller::{signed_in, Supervisor};
    let me = signed_in(state, headers).await.ok()?;
    Supervisor::of(me).err().map(|_| {
        (
            StatusCode::FORBIDDEN,
            axum::response::Html(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>warm-transfer · forbidden</title></head>\
                 <body><main class=\"console\"><p class=\"not-found\">The floor is for supervisors. \
                 <a href=\"/\">Go to the agent console</a></p></main></body></html>",
            ),
        )
            .into_response()
    })
}

/// A server function that failed answers with its error, which knows its status
/// (`ApiError::status`): Leptos sends every failure as a 500, arguments it could not read too.
async fn error_status(res: Response) -> Response {
    if !res.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are a line of text; the limit only guards against a surprise.
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let error = std::str::from_utf8(&bytes).map(crate::error::ApiError::decode).unwrap_or(crate::error::ApiError::Internal);
    parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn start_simulator(settings: &mut Settings, store: &Store, local_url: &str) -> Result<Simulator, StartError> {
    settings.twilio.api_base_url = format!("{local_url}/sim");
    let t = &settings.twilio;
    let mut config =
        SimulatorConfig::new(&t.account_sid, t.auth_token.clone(), &t.api_key, t.api_secret.clone(), &settings.public_base_url, &t.number);
    if settings.public_base_url != local_url {
        config.app_local_url = Some(local_url.to_string());
    }
    // The simulated account has the limit the app keeps (TWILIO_CALLS_PER_SECOND).
    config.calls_per_second = settings.outbox.pace.map_or(0.0, |p| 1.0 / p.as_secs_f64());
    // A demo runs for hours: the monitor shows what is going on, not every call since the start.
    config.forget_finished_after = Some(std::time::Duration::from_secs(600));
    let demo = DEMO_AGENTS.iter().map(|a| (*a, format!("Agent {}", &a[5..]))).chain([(DEMO_SUPERVISOR, "Supervisor 1".to_string())]);
    for (agent, name) in demo {
        let id = crate::ids::AgentId::parse(agent).map_err(|e| StartError::Demo(e.0))?;
        if store.agent(&id).await?.is_none() {
            let hash = crate::auth::on_password_thread(|| crate::auth::hash_password(DEMO_PASSWORD))
                .await
                .ok_or_else(|| StartError::Demo("the password thread is gone".into()))?
                .map_err(|e| StartError::Demo(e.to_string()))?;
            store.upsert_agent(&id, &name, &hash).await?;
            if agent == DEMO_SUPERVISOR {
                store.set_agent_role(&id, crate::center::AgentRole::Supervisor).await?;
            }
        }
    }
    tracing::warn!(
        "SIMULATOR MODE: no Twilio account is used; calls are simulated. Sign in as {} with password '{DEMO_PASSWORD}', \
         or as {DEMO_SUPERVISOR} for the floor (/floor); call from /phone, watch /simulator. Set the TWILIO_* settings \
         (README) for real calls.",
        DEMO_AGENTS.join(" or ")
    );
    Ok(Simulator::new(config))
}

/// Server functions act with the agent's session cookie, so a page on another site must not be
/// able to make the browser call them. Browsers say where a request comes from (`Sec-Fetch-Site`,
/// `Origin`); anything not from this app is refused. Requests with neither header (scripts,
/// tests) carry no browser cookies by accident and go through to the session check.
async fn same_origin_guard(State(state): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        let headers = req.headers();
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin = headers.get("origin").and_then(|v| v.to_str().ok());
        let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let same_site = matches!(site, None | Some("same-origin") | Some("none"));
        let same_origin = origin.is_none_or(|o| {
            o == state.settings.public_base_url || o.strip_prefix("http://").or_else(|| o.strip_prefix("https://")) == Some(host)
        });
        if !(same_site && same_origin) {
            tracing::warn!(path = req.uri().path(), origin = origin.unwrap_or("-"), "refused a cross-site request");
            return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        }
    }
    next.run(req).await
}

/// 200 while the database takes writes; 503 at once while it is known to be away, or when it
/// does not answer a probe within a second (never the pool's full timeout).
async fn healthz(State(state): State<AppState>) -> Response {
    let health = state.center.health();
    let unavailable = |since: i64| {
        let secs = (crate::clock::now_ms() - since).max(0) / 1000;
        (StatusCode::SERVICE_UNAVAILABLE, format!("database unavailable for {secs} s")).into_response()
    };
    if let Some(outage) = health.outage() {
        return unavailable(outage.since);
    }
    if health.probe().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        tracing::error!("health check: the database does not answer");
        health.away();
        unavailable(crate::clock::now_ms())
    }
}

async fn voice_sdk(State(state): State<AppState>) -> Response {
    match &state.voice_sdk {
        Some(bytes) => ([("content-type", "text/javascript"), ("cache-control", "public, max-age=3600")], bytes.to_vec()).into_response(),
        None => (StatusCode::NOT_FOUND, "Twilio Voice SDK not installed (run npm ci)").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn every_accepted_connection_sends_without_waiting_for_acks() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = without_delay(listener);
        let client = tokio::spawn(async move { tokio::net::TcpStream::connect(addr).await.unwrap() });
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the server's side of the connection");
        drop(client.await.unwrap());
    }
}
