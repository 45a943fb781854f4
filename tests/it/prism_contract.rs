//! Contract test: the real REST client against Stoplight Prism mocking Twilio's published OpenAPI
//! description (`../shared/twilio/twilio_api_v2010.prism.json`). Prism answers 2xx only when the
//! path, the Basic auth and every form field validate against the spec; otherwise it answers 4xx
//! (422 with its validation report), which means the client sends something Twilio would refuse.
//!
//! Needs the npm packages (`npm ci` in the project root): the test fails, it does not skip, when
//! `node_modules/.bin/prism` is missing.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use warm_transfer::calls::flow;
use warm_transfer::center::MonitorMode;
use warm_transfer::config::Secret;
use warm_transfer::twilio::rest::{AddParticipant, CreateCall, RestConfig, RestError, TwilioClient, UpdateParticipant};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CONF: &str = "CF0123456789abcdef0123456789abcdef";
const CALL: &str = "CA0123456789abcdef0123456789abcdef";
const API_KEY: &str = "SK0123456789abcdef0123456789abcdef";
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the spec is kept under `tests/fixtures`, so a clone with nothing beside it runs this
/// test; the shared folder next to the project is the fallback.
fn spec_path() -> PathBuf {
    let candidates = [
        project_root().join("tests/fixtures/twilio_api_v2010.prism.json"),
        project_root().join("../shared/twilio/twilio_api_v2010.prism.json"),
    ];
    candidates.iter().find(|p| p.is_file()).cloned().unwrap_or_else(|| {
        panic!(
            "Twilio's OpenAPI spec for Prism was not found; looked at:\n  {}",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n  ")
        )
    })
}

fn prism_bin() -> PathBuf {
    let bin = project_root().join("node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Stoplight Prism is not installed: {} is missing. Run `npm ci` in {} (it installs \
         @stoplight/prism-cli from package.json), then run this test again.",
        bin.display(),
        project_root().display()
    );
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// A running Prism mock; dropping it kills it, even when a test panics.
struct Prism {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Prism {
    fn start() -> Prism {
        let bin = prism_bin();
        let spec = spec_path();
        let port = free_port();
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("prism-{port}.log"));
        let out = File::create(&log).expect("create the Prism log file");
        let err = out.try_clone().expect("clone the Prism log file");
        let mut cmd = Command::new(&bin);
        cmd.args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .current_dir(project_root())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("could not start {} (is `node` on PATH?): {e}", bin.display()));
        let mut prism = Prism { child, port, log };
        prism.wait_until_listening();
        prism
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                eprintln!("Prism listening on port {} after {:?}", self.port, started.elapsed());
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Prism exited before listening ({status}); its output:\n{}", self.log_tail());
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!("Prism did not listen on port {} within {STARTUP_LIMIT:?}; its output:\n{}", self.port, self.log_tail());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Prism runs as one node process (no `--multiprocess`), so killing it is enough. It stays
        // in our process group, so Ctrl-C on `cargo test` stops it as well.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(prism: &Prism) -> TwilioClient {
    TwilioClient::new(RestConfig {
        base_url: prism.base_url(),
        account_sid: ACCOUNT.into(),
        username: API_KEY.into(),
        password: Secret::new("prism-contract-secret"),
        timeout: Duration::from_secs(20),
    })
}

/// Unwraps a step's result; a refusal shows Prism's validation report and its log.
fn accepted<T>(prism: &Prism, step: &str, r: Result<T, RestError>) -> T {
    match r {
        Ok(v) => {
            eprintln!("ok: {step}");
            v
        }
        Err(e) => {
            panic!("Prism refused `{step}`: our request does not match Twilio's spec.\n{e}\n{e:?}\n--- Prism log ---\n{}", prism.log_tail())
        }
    }
}

#[tokio::test]
async fn every_rest_call_the_app_makes_validates_against_twilios_spec() {
    let prism = Prism::start();
    let c = client(&prism);

    let call = accepted(
        &prism,
        "create call",
        c.create_call(&CreateCall {
            to: "client:agent1".into(),
            from: "+15005550006".into(),
            url: "https://support.example.com/conference/connect/agent1?call=CA1".into(),
            method: Some("POST".into()),
            timeout_secs: Some(30),
            status_callback: Some("https://support.example.com/webhooks/call-status".into()),
            status_callback_event: vec!["initiated".into(), "ringing".into(), "answered".into(), "completed".into()],
            status_callback_method: Some("POST".into()),
        })
        .await,
    );
    assert!(call.sid.starts_with("CA"), "{call:?}");

    let live = accepted(&prism, "find live conference", c.find_live_conference("support call CA1").await);
    if let Some(conf) = &live {
        assert!(conf.sid.starts_with("CF"), "{conf:?}");
    }

    let agent2 = AddParticipant {
        from: "+15005550006".into(),
        to: "client:agent2".into(),
        label: Some("agent 2 (transfer)".into()),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(false),
        status_callback: Some("https://support.example.com/webhooks/conference-status".into()),
        status_callback_event: vec!["ringing".into(), "answered".into(), "completed".into()],
        timeout_secs: Some(30),
        beep: Some("false".into()),
        wait_url: Some("http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical".into()),
        muted: None,
        coaching: None,
        call_sid_to_coach: None,
    };
    let p = accepted(&prism, "add participant by conference SID", c.add_participant(CONF, &agent2).await);
    assert!(p.call_sid.is_some(), "{p:?}");
    accepted(&prism, "add participant by conference name", c.add_participant("support call CA1", &agent2).await);

    let hold = UpdateParticipant {
        hold: Some(true),
        hold_url: Some("http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical".into()),
        ..Default::default()
    };
    accepted(&prism, "hold participant by call SID", c.update_participant(CONF, CALL, &hold).await);
    accepted(&prism, "hold participant by label", c.update_participant(CONF, "agent 2 (transfer)", &hold).await);
    accepted(
        &prism,
        "unhold participant and change flags",
        c.update_participant(
            CONF,
            CALL,
            &UpdateParticipant {
                hold: Some(false),
                muted: Some(false),
                end_conference_on_exit: Some(true),
                announce_url: Some("https://support.example.com/conference/announce".into()),
                ..Default::default()
            },
        )
        .await,
    );

    // The supervisor's leg, as the app adds it and changes its mode.
    let settings = crate::common::settings_with("sqlite::memory:", "https://api.twilio.com", &[]);
    let supervisor = warm_transfer::ids::AgentId::parse("supervisor1").unwrap();
    let customer = warm_transfer::ids::CallSid::parse(CALL).unwrap();
    let listen = flow::monitor_participant(&settings, &customer, &supervisor, 3);
    accepted(&prism, "add a listening supervisor", c.add_participant(CONF, &listen).await);
    for mode in MonitorMode::ALL {
        let update = flow::monitor_update(mode, Some(&customer));
        accepted(&prism, &format!("supervisor mode {}", mode.as_str()), c.update_participant(CONF, "supervisor1", &update).await);
    }

    // `warm-transfer twilio check [--fix]`.
    accepted(&prism, "fetch the account", c.fetch_account().await);
    accepted(&prism, "find the support number", c.numbers("+15005550006").await);
    accepted(
        &prism,
        "point the number's voice webhook at the app",
        c.set_voice_webhook("PN0123456789abcdef0123456789abcdef", "https://support.example.com/conference/connect/client", "POST", None)
            .await,
    );

    accepted(&prism, "remove participant", c.remove_participant(CONF, CALL).await);
    accepted(&prism, "end conference", c.end_conference(CONF).await);
    accepted(&prism, "cancel a ringing agent leg", c.cancel_call(CALL).await);
    accepted(&prism, "hang up a caller", c.hang_up_call(CALL).await);

    // The mock really validates: a call without `To` is refused, as Twilio would refuse it.
    let refused = c
        .create_call(&CreateCall {
            to: String::new(),
            from: "+15005550006".into(),
            url: "https://support.example.com/conference/connect/agent1".into(),
            ..Default::default()
        })
        .await;
    match refused {
        Err(e @ RestError::Api { .. }) => {
            let status = e.status().unwrap();
            assert!((400..500).contains(&status), "expected a 4xx, got {e}");
            assert!(!e.is_retryable(), "{e}");
            assert!(e.to_string().contains("To"), "the refusal should name the missing field: {e}");
            eprintln!("ok: create call without To refused: {e}");
        }
        other => panic!("Prism accepted (or failed oddly on) a call without `To`: {other:?}\n{}", prism.log_tail()),
    }
}
