//! Thin entry point: settings, logging, the application.

use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use warm_transfer::application::Application;
use warm_transfer::config::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = warm_transfer::cli::run(&args).await {
        return code;
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warm-transfer: {e}");
            return ExitCode::from(2);
        }
    };
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("warm-transfer: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(port = app.port(), "warm-transfer listening");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warm-transfer: server error: {e}");
            ExitCode::from(1)
        }
    }
}
