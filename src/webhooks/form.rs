//! Twilio's form posts, read once and checked against `X-Twilio-Signature`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::Method;

use crate::error::ApiError;
use crate::state::AppState;
use crate::twilio::refusal::{diagnose, Seen};

/// The parameters of a webhook request, in the order Twilio sent them.
#[derive(Debug, Clone)]
pub struct TwilioForm {
    pub params: Vec<(String, String)>,
}

impl TwilioForm {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A parameter Twilio always sends for this request; its absence is the caller's error.
    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::BadInput(format!("missing required parameter {name}")))
    }

    /// The whole form as a JSON object, for the audit record.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> =
            self.params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        serde_json::Value::Object(map).to_string()
    }
}

impl FromRequest<AppState> for TwilioForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        // Only these three are needed after the body is read: take them, not a copy of the parts.
        let method = req.method().clone();
        let uri = req.uri().clone();
        let header = |req: &Request, name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let given = header(&req, "x-twilio-signature").unwrap_or_default();
        // Kept for explaining a refusal (which URL Twilio must have called).
        let (forwarded_proto, forwarded_host, host) =
            (header(&req, "x-forwarded-proto"), header(&req, "x-forwarded-host"), header(&req, "host"));
        let body = Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            _ => ApiError::BadInput("unreadable request body".into()),
        })?;
        // Twilio sends GET webhooks with the parameters in the query; the signature then covers
        // the URL alone.
        let params: Vec<(String, String)> =
            if method == Method::GET { Vec::new() } else { form_urlencoded::parse(&body).into_owned().collect() };
        if state.settings.verify_signatures {
            let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let url = state.settings.public_url(path_and_query);
            if given.is_empty() || !state.signature_key.verify(&url, &params, &given) {
                let seen =
                    Seen { forwarded_proto: forwarded_proto.as_deref(), forwarded_host: forwarded_host.as_deref(), host: host.as_deref() };
                let d = diagnose(&state.signature_key, &state.settings.public_base_url, path_and_query, &seen, &params, &given);
                if state.signature_refusals.first_in_a_while(&d.cause, std::time::Instant::now()) {
                    // The URL and the fix, never the signature (nor, of course, the token).
                    tracing::warn!(path = uri.path(), cause = d.cause.kind(), verified_against = %d.verified_against, fix = %d.fix,
                        "refused a webhook: its X-Twilio-Signature does not verify (said at most once a minute per cause)");
                    // Kept for `warm-transfer twilio check`, after the answer (it must not wait).
                    let refusal = crate::store::WebhookRefusal {
                        at: crate::clock::now_ms(),
                        cause: d.cause.kind().to_string(),
                        path: uri.path().to_string(),
                        verified_against: d.verified_against.clone(),
                        fix: d.fix.clone(),
                    };
                    let store = state.store.clone();
                    tokio::spawn(async move {
                        if let Err(e) = store.record_refusal(&refusal).await {
                            tracing::warn!(error = %e, "could not record a refused webhook");
                        }
                    });
                } else {
                    tracing::debug!(path = uri.path(), cause = d.cause.kind(), "refused a webhook with a bad signature");
                }
                return Err(ApiError::Forbidden("invalid or missing X-Twilio-Signature".into()));
            }
        }
        let mut params = params;
        if method == Method::GET {
            if let Some(q) = uri.query() {
                params = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            }
        }
        // Checked as sent, stored without NUL: PostgreSQL text cannot hold it (the insert fails,
        // and a caller would hear the storage-trouble apology with nobody dialled), and no
        // Twilio parameter has any use for it.
        for (name, value) in &mut params {
            strip_nul(name);
            strip_nul(value);
        }
        Ok(TwilioForm { params })
    }
}

/// Drops U+0000, which PostgreSQL text cannot hold.
pub(super) fn strip_nul(s: &mut String) {
    if s.contains('\0') {
        s.retain(|c| c != '\0');
    }
}
