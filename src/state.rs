//! The application state every request handler is given: settings, storage, the running
//! center, the Twilio client, the simulator when there is one. A leaf of the module graph: the
//! edges (webhooks, server functions, streams) import it, and it imports none of them; the
//! composition root (`application`) builds it.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Settings;
use crate::runtime::Center;
use crate::simulator::Simulator;
use crate::store::Store;
use crate::twilio::rest::TwilioClient;

/// Everything a request handler may need. Cloned for every request (axum's `State`, the
/// middleware), so it is one reference count, not a copy of each field's.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub twilio: TwilioClient,
    /// The contact center: its live state, and every decision made durable.
    pub center: Center,
    /// The supervisors' floor: today's figures and the floor's view, made when a floor asks.
    pub floor: crate::runtime::Floor,
    /// The opening hours, as last read (every second) from storage.
    pub hours: crate::runtime::OpeningHours,
    pub leptos_options: LeptosOptions,
    /// The Twilio Voice SDK bundle, read once at start-up (see `voice_sdk_path`); in simulator
    /// mode, the simulated Device instead.
    pub voice_sdk: Option<Arc<[u8]>>,
    /// The built-in Twilio, in simulator mode.
    pub simulator: Option<Simulator>,
    /// Checks `X-Twilio-Signature` with the auth token keyed in once.
    pub signature_key: crate::twilio::signature::Key,
    /// What the server counts (`GET /metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// When each cause of a refused signature was last logged (at most once a minute each).
    pub signature_refusals: crate::twilio::refusal::Said,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
