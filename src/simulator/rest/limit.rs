//! Twilio's limit on concurrent REST requests of one account: a request arriving while the
//! account already has that many in flight is answered 429 with error 20429 ("Too Many
//! Requests") and not carried out. Several app instances sharing one account (one simulator) share
//! the limit, which is the point: a client must back off and retry, and a burst from three
//! instances behind a load balancer can hit it where one instance never does.
//!
//! A request holds its place from authentication until it is answered (a request an injected
//! `Fault::Delay` holds keeps its place meanwhile, which is how a test fills the account
//! deterministically); a request the client gave up on gives its place back.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::wire::ApiError;

/// The places for requests in flight; clones share them.
#[derive(Debug, Clone)]
pub(super) struct RequestLimit(Option<Arc<Semaphore>>);

/// A request's place among those in flight, given back when dropped.
#[derive(Debug)]
pub(super) struct Admitted {
    _place: Option<OwnedSemaphorePermit>,
}

impl RequestLimit {
    /// At most `max` requests in flight at once; 0: no limit.
    pub(super) fn new(max: usize) -> Self {
        RequestLimit((max > 0).then(|| Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS)))))
    }

    /// A place for one more request, or `None` when every place is taken.
    pub(super) fn admit(&self) -> Option<Admitted> {
        match &self.0 {
            None => Some(Admitted { _place: None }),
            Some(places) => places.clone().try_acquire_owned().ok().map(|permit| Admitted { _place: Some(permit) }),
        }
    }
}

/// The middleware: over the limit, Twilio's 429 at once, and the request is not carried out.
pub(super) async fn limit_requests(State(limit): State<RequestLimit>, req: Request, next: Next) -> Response {
    let Some(_place) = limit.admit() else {
        tracing::info!(method = %req.method(), path = req.uri().path(), "simulator REST request refused: too many in flight (429)");
        return ApiError::too_many_requests().into_response();
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_over_the_limit_gets_no_place_until_one_is_given_back() {
        let limit = RequestLimit::new(2);
        let first = limit.admit().expect("a first place");
        let _second = limit.admit().expect("a second place");
        assert!(limit.admit().is_none(), "both places are taken");
        drop(first);
        assert!(limit.admit().is_some(), "a place given back is taken again");
    }

    #[test]
    fn a_limit_of_zero_is_no_limit() {
        let limit = RequestLimit::new(0);
        let held: Vec<Admitted> = (0..1000).filter_map(|_| limit.admit()).collect();
        assert_eq!(held.len(), 1000);
    }
}
