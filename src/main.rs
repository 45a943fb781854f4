//! Thin entry point: settings, logging, the application.

use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use warm_transfer::application::Application;
use warm_transfer::config::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    fixed_malloc_thresholds();
    // LOG_FORMAT=json: one JSON object per line (the settings check the word; `.env` counts too).
    let _ = dotenvy::dotenv();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        tracing_subscriber::fmt().json().with_current_span(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
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
    // Demo mode (DEMO=1, `run.sh --demo`): bot accounts made now, bots started once it listens.
    let demo = match warm_transfer::bots::demo::Demo::prepare(&settings).await {
        Ok(demo) => demo,
        Err(e) => {
            eprintln!("warm-transfer: demo mode: {e}");
            return ExitCode::from(2);
        }
    };
    let listen = settings.listen_addr;
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("warm-transfer: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(port = app.port(), "warm-transfer listening");
    if let Some(demo) = demo {
        demo.start(listen, app.port());
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warm-transfer: server error: {e}");
            ExitCode::from(1)
        }
    }
}

/// glibc's default thresholds, made fixed. By default glibc raises its mmap threshold to the
/// size of the largest block it has freed (up to 32 MiB) and its trim threshold to twice that:
/// after the first sign-in (argon2 frees a 19 MiB block) every heap kept up to 38 MiB of freed
/// memory at its top, and later argon2 blocks came from the heaps instead of being mapped and
/// unmapped. Measured with 500 consoles streaming: the live heap was ~25 MB (heaptrack) and the
/// resident memory 59 MiB; with these two fixed, 40 MiB. Setting them disables the adjustment.
fn fixed_malloc_thresholds() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::raw::c_int;
        extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        // glibc's defaults: blocks from 128 KiB on are mapped apart (and unmapped when freed);
        // a heap gives back free memory at its top beyond 128 KiB.
        const DEFAULT: c_int = 128 * 1024;
        // SAFETY: mallopt only sets the allocator's tunables (it takes the allocator's own lock);
        // these two change where later blocks come from and when free memory is given back.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, DEFAULT);
            mallopt(M_TRIM_THRESHOLD, DEFAULT);
        }
    }
}
