//! What went wrong, in one place for every edge: the center's refusals, sign-in's, bad input and
//! storage trouble become an [`ApiError`], which has its HTTP status and its sentence here. The
//! webhooks answer Twilio with it; the server functions send it to the browser, where the
//! console matches on it (it travels as `Kind|sentence`, read by hand: no serde decoder in the
//! WASM).
//!
//! On the server a failure is a [`Failure`] first: what a caller may be told, or an internal
//! error (storage) that is logged, once, when it is turned into an answer ([`Failure::public`])
//! and told only as "unavailable".

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

/// What an edge answers when it does not do what was asked. (Serde too: a page's resources
/// carry it to the browser in the page.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ApiError {
    /// Malformed input; the sentence names the field.
    #[error("{0}")]
    BadInput(String),
    #[error("please sign in")]
    NotSignedIn,
    #[error("wrong agent name or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// An unknown agent or call.
    #[error("{0}")]
    NotFound(String),
    /// The step makes no sense now; the sentence says why.
    #[error("{0}")]
    NotNow(String),
    #[error("request body too large")]
    TooLarge,
    /// Too many at once (of what, the sentence says).
    #[error("{0}")]
    TooMany(String),
    /// Too many failed sign-ins: free again in this many minutes.
    #[error("too many failed sign-ins; try again in {0} minutes")]
    RateLimited(u64),
    /// Storage (or another part of the server) does not answer; details are in its log.
    #[error("the server cannot do that right now: storage is unavailable")]
    Unavailable,
    /// The request never got an answer (the browser's side: the network, the server gone).
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadInput(_) => 400,
            ApiError::NotSignedIn | ApiError::BadCredentials => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::NotNow(_) => 409,
            ApiError::TooLarge => 413,
            ApiError::TooMany(_) | ApiError::RateLimited(_) => 429,
            ApiError::Unavailable => 503,
            ApiError::Unreachable(_) | ApiError::Internal => 500,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadInput(_) => "BadInput",
            ApiError::NotSignedIn => "NotSignedIn",
            ApiError::BadCredentials => "BadCredentials",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::NotFound(_) => "NotFound",
            ApiError::NotNow(_) => "NotNow",
            ApiError::TooLarge => "TooLarge",
            ApiError::TooMany(_) => "TooMany",
            ApiError::RateLimited(_) => "RateLimited",
            ApiError::Unavailable => "Unavailable",
            ApiError::Unreachable(_) => "Unreachable",
            ApiError::Internal => "Internal",
        }
    }

    /// `Kind|what it carries`: how it travels to the browser (read back by [`ApiError::decode`]
    /// with no searching: the WASM stays small). What it carries is its sentence, so a script
    /// reading the body reads why; a wait's minutes go first (`RateLimited|7|too many …`).
    pub fn encode(&self) -> String {
        match self {
            ApiError::Unreachable(m) => format!("{}|{m}", self.kind()),
            ApiError::RateLimited(minutes) => format!("{}|{minutes}|{self}", self.kind()),
            _ => format!("{}|{self}", self.kind()),
        }
    }

    /// Reads what [`ApiError::encode`] wrote; anything else is an internal error.
    pub fn decode(text: &str) -> ApiError {
        let Some((kind, payload)) = text.split_once('|') else { return ApiError::Internal };
        let payload = payload.to_string();
        match kind {
            "BadInput" => ApiError::BadInput(payload),
            "NotSignedIn" => ApiError::NotSignedIn,
            "BadCredentials" => ApiError::BadCredentials,
            "Forbidden" => ApiError::Forbidden(payload),
            "NotFound" => ApiError::NotFound(payload),
            "NotNow" => ApiError::NotNow(payload),
            "TooLarge" => ApiError::TooLarge,
            "TooMany" => ApiError::TooMany(payload),
            "RateLimited" => ApiError::RateLimited(payload.split('|').next().and_then(|m| m.parse().ok()).unwrap_or(15)),
            "Unavailable" => ApiError::Unavailable,
            "Unreachable" => ApiError::Unreachable(payload),
            _ => ApiError::Internal,
        }
    }
}

/// The encoding of [`ApiError`] on the wire: `Kind|sentence` as plain text.
pub struct ApiErrorEncoding;

impl ContentType for ApiErrorEncoding {
    const CONTENT_TYPE: &'static str = "text/plain; charset=utf-8";
}

impl FormatType for ApiErrorEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<ApiError> for ApiErrorEncoding {
    type Error = std::convert::Infallible;

    fn encode(e: &ApiError) -> Result<Bytes, Self::Error> {
        Ok(Bytes::from(e.encode()))
    }
}

impl Decodes<ApiError> for ApiErrorEncoding {
    type Error = std::convert::Infallible;

    fn decode(bytes: Bytes) -> Result<ApiError, Self::Error> {
        Ok(std::str::from_utf8(&bytes).map(ApiError::decode).unwrap_or(ApiError::Internal))
    }
}

impl FromServerFnError for ApiError {
    type Encoder = ApiErrorEncoding;

    /// What the framework itself failed at: arguments it could not read are the caller's
    /// mistake (the sentence names the field); a request that did not get through is told as such.
    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        match e {
            // On the server only: the browser never reads arguments.
            // An argument the core's type refused says why itself ("status must be available,
            // away or offline", "agent identity must be …"): that sentence is the reason.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(reason) => ApiError::BadInput(reason),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::MissingArg(_) => ApiError::BadInput(e.to_string()),
            // On the server, a body that cannot be read as its content type (not UTF-8, cut
            // short, over the size limit) is the caller's mistake too; in the browser the same
            // variant means the server's answer was unreadable, which is ours.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) if m.contains("length limit exceeded") => ApiError::TooLarge,
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) => ApiError::BadInput(format!("the request's body could not be read: {m}")),
            ServerFnErrorErr::Request(m) => ApiError::Unreachable(m),
            _ => ApiError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::Failure;

#[cfg(feature = "ssr")]
mod server {
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    use super::ApiError;
    use crate::auth::AuthError;
    use crate::center::{Reason, Refusal};
    use crate::ids::IdError;
    use crate::runtime::CenterError;
    use crate::store::StoreError;

    /// A failure on the server, before it is answered: what the caller may know, or storage
    /// trouble whose details stay in the log.
    #[derive(Debug, thiserror::Error)]
    pub enum Failure {
        #[error("{0}")]
        Api(#[from] ApiError),
        #[error("{0}")]
        Store(#[from] StoreError),
    }

    impl Failure {
        /// The database is away: the same request may well succeed in a moment.
        pub fn is_unavailable(&self) -> bool {
            matches!(self, Failure::Store(e) if e.is_unavailable())
        }
    }

    impl Failure {
        /// What the caller is told; storage trouble is logged here, the one place it is.
        pub fn public(self) -> ApiError {
            match self {
                Failure::Api(e) => e,
                Failure::Store(e) => {
                    tracing::error!(error = %e, "storage failed behind a request");
                    ApiError::Unavailable
                }
            }
        }
    }

    impl From<Refusal> for ApiError {
        fn from(r: Refusal) -> Self {
            match r {
                Refusal::UnknownAgent(_) | Refusal::UnknownCall(_) => ApiError::NotFound(r.to_string()),
                // What an agent asks of the floor: not theirs to ask, whatever the moment.
                Refusal::NotNow(reason @ Reason::SupervisorsOnly) => ApiError::Forbidden(reason.to_string()),
                Refusal::NotNow(reason) => ApiError::NotNow(reason.to_string()),
            }
        }
    }

    impl From<Refusal> for Failure {
        fn from(r: Refusal) -> Self {
            Failure::Api(r.into())
        }
    }

    impl From<CenterError> for Failure {
        fn from(e: CenterError) -> Self {
            match e {
                CenterError::Refused(r) => r.into(),
                CenterError::Store(e) => Failure::Store(e),
            }
        }
    }

    impl From<AuthError> for Failure {
        fn from(e: AuthError) -> Self {
            Failure::Api(match e {
                AuthError::BadCredentials => ApiError::BadCredentials,
                AuthError::RateLimited(minutes) => ApiError::RateLimited(minutes),
                AuthError::NotSignedIn => ApiError::NotSignedIn,
                AuthError::Forbidden(m) => ApiError::Forbidden(m),
                AuthError::BadInput(m) => ApiError::BadInput(m),
                AuthError::Store(e) => return Failure::Store(e),
            })
        }
    }

    impl From<IdError> for Failure {
        fn from(e: IdError) -> Self {
            Failure::Api(ApiError::BadInput(e.0))
        }
    }

    /// Twilio (and scripts) get the status and the sentence as plain text.
    impl IntoResponse for Failure {
        fn into_response(self) -> Response {
            self.public().into_response()
        }
    }

    impl IntoResponse for ApiError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [("content-type", "text/plain; charset=utf-8")], self.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_travels_to_the_browser_and_back_as_itself() {
        for e in [
            ApiError::BadInput("action: unknown".into()),
            ApiError::NotSignedIn,
            ApiError::BadCredentials,
            ApiError::Forbidden("only for your own identity".into()),
            ApiError::NotFound("unknown agent 'x'".into()),
            ApiError::NotNow("you are on a call".into()),
            ApiError::TooLarge,
            ApiError::TooMany("3 calls".into()),
            ApiError::RateLimited(7),
            ApiError::Unavailable,
            ApiError::Unreachable("network down".into()),
            ApiError::Internal,
        ] {
            assert_eq!(ApiError::decode(&e.encode()), e);
        }
        assert_eq!(ApiError::decode("garbage"), ApiError::Internal);
        assert_eq!(ApiError::NotNow("x".into()).encode(), "NotNow|x");
        assert_eq!(ApiError::RateLimited(3).encode(), "RateLimited|3|too many failed sign-ins; try again in 3 minutes");
    }

    #[test]
    fn each_error_has_its_status() {
        assert_eq!(ApiError::BadInput(String::new()).status(), 400);
        assert_eq!(ApiError::NotSignedIn.status(), 401);
        assert_eq!(ApiError::Forbidden(String::new()).status(), 403);
        assert_eq!(ApiError::NotFound(String::new()).status(), 404);
        assert_eq!(ApiError::NotNow(String::new()).status(), 409);
        assert_eq!(ApiError::TooLarge.status(), 413);
        assert_eq!(ApiError::RateLimited(1).status(), 429);
        assert_eq!(ApiError::Unavailable.status(), 503);
    }
}
