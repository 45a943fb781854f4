use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::calls::service::CallError;

/// Errors at the webhook edge, each with its status code. Internals never reach the body.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid or missing X-Twilio-Signature")]
    Forbidden,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("internal error")]
    Internal,
}

impl From<CallError> for WebhookError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::BadInput(m) => WebhookError::BadRequest(m),
            CallError::UnknownAgent(_) | CallError::UnknownCall(_) => WebhookError::NotFound(e.to_string()),
            CallError::Refused(_) => WebhookError::Conflict(e.to_string()),
            CallError::Store(inner) => {
                tracing::error!(error = %inner, "storage failed behind a webhook");
                WebhookError::Internal
            }
        }
    }
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let status = match self {
            WebhookError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebhookError::NotFound(_) => StatusCode::NOT_FOUND,
            WebhookError::Conflict(_) => StatusCode::CONFLICT,
            WebhookError::Forbidden => StatusCode::FORBIDDEN,
            WebhookError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, [("content-type", "text/plain; charset=utf-8")], self.to_string()).into_response()
    }
}
