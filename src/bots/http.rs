//! The bots' HTTP: what a browser sends. A signed-in session (the cookie kept by hand: this
//! build's reqwest has no cookie store), the console's server functions (form in, JSON out),
//! and server-sent-event streams read event by event.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

/// Every request but the streams gives up after this long.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A request that did not go as hoped: its status (none when it never got an answer) and why.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: Option<u16>,
    pub text: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "HTTP {s}: {}", self.text),
            None => write!(f, "{}", self.text),
        }
    }
}

impl Failure {
    pub fn transport(e: reqwest::Error) -> Self {
        Failure { status: None, text: e.to_string() }
    }

    /// 409: the step makes no sense now (a race with the server, not a fault).
    pub fn is_not_now(&self) -> bool {
        matches!(self.status, Some(404 | 409))
    }
}

/// Sends `req`: the body of a 2xx answer, else the failure.
pub async fn send(req: reqwest::RequestBuilder) -> Result<String, Failure> {
    let res = req.timeout(REQUEST_TIMEOUT).send().await.map_err(Failure::transport)?;
    let status = res.status().as_u16();
    let text = res.text().await.map_err(Failure::transport)?;
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(Failure { status: Some(status), text })
    }
}

/// One agent's browser on the app: its base URL and its session cookie (shared by clones, so a
/// stream reader and the agent's steps sign in once).
#[derive(Clone)]
pub struct Browser {
    pub http: reqwest::Client,
    pub app: String,
    identity: String,
    password: String,
    cookie: Arc<Mutex<String>>,
}

impl Browser {
    pub fn new(http: reqwest::Client, app: &str, identity: &str, password: &str) -> Self {
        Browser {
            http,
            app: app.trim_end_matches('/').to_string(),
            identity: identity.to_string(),
            password: password.to_string(),
            cookie: Arc::default(),
        }
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    fn cookie(&self) -> String {
        self.cookie.lock().clone()
    }

    /// `POST /api/sign_in`; keeps the session cookie from `Set-Cookie`.
    pub async fn sign_in(&self) -> Result<(), Failure> {
        let form = [("identity", self.identity.as_str()), ("password", self.password.as_str())];
        let res = self
            .http
            .post(format!("{}/api/sign_in", self.app))
            .form(&form)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(Failure::transport)?;
        let status = res.status().as_u16();
        let cookie = res.headers().get_all(reqwest::header::SET_COOKIE).iter().find_map(|v| {
            // `name=value; Path=/; HttpOnly…`: the pair is all a browser sends back.
            v.to_str().ok().and_then(|v| v.split(';').next()).filter(|pair| pair.contains('=')).map(str::to_string)
        });
        let text = res.text().await.unwrap_or_default();
        match (status, cookie) {
            (200, Some(cookie)) => {
                *self.cookie.lock() = cookie;
                Ok(())
            }
            (200, None) => Err(Failure { status: Some(200), text: "signed in, but no session cookie came".into() }),
            _ => Err(Failure { status: Some(status), text }),
        }
    }

    /// A server function (`/api/{endpoint}`) with the session cookie; signed out (the session
    /// expired after its 8 hours), the bot signs in again once and retries, as a person would.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<String, Failure> {
        let url = format!("{}/api/{endpoint}", self.app);
        match send(self.http.post(&url).header("cookie", self.cookie()).form(form)).await {
            Err(Failure { status: Some(401), .. }) => {
                self.sign_in().await?;
                send(self.http.post(&url).header("cookie", self.cookie()).form(form)).await
            }
            other => other,
        }
    }

    /// `GET {url}` as a stream of server-sent events, with the session cookie when it is the
    /// app's, and the last event id seen when it is opened again (`Last-Event-ID`, as a browser's
    /// `EventSource` sends it).
    pub async fn stream(&self, url: &str, with_cookie: bool, last_id: Option<&str>) -> Result<Sse, Failure> {
        let req = self.http.get(url);
        let req = if with_cookie { req.header("cookie", self.cookie()) } else { req };
        let req = match last_id {
            Some(id) => req.header("last-event-id", id),
            None => req,
        };
        let res = req.send().await.map_err(Failure::transport)?;
        let status = res.status().as_u16();
        if status != 200 {
            return Err(Failure { status: Some(status), text: res.text().await.unwrap_or_default() });
        }
        Ok(Sse { res, buf: Vec::new(), scanned: 0 })
    }
}

/// One server-sent event: its name (`None`: the default `message`) and data; a comment (a
/// keep-alive) comes as neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub name: Option<String>,
    pub data: Option<String>,
    /// Its `id:` (the console's views carry the center's version).
    pub id: Option<String>,
}

/// A stream of server-sent events read as its bytes come.
pub struct Sse {
    res: reqwest::Response,
    buf: Vec<u8>,
    /// How far `buf` was searched for an event's end: a 40 KB directory arriving in many chunks
    /// is searched once, not once per chunk from its start.
    scanned: usize,
}

impl Sse {
    /// The next event, or `None` once the stream is over (or broken).
    pub async fn next(&mut self) -> Option<SseEvent> {
        loop {
            let from = self.scanned.saturating_sub(1);
            if let Some(end) = self.buf[from..].windows(2).position(|w| w == b"\n\n").map(|i| i + from) {
                let raw: Vec<u8> = self.buf.drain(..end + 2).collect();
                self.scanned = 0;
                return Some(parse_event(&String::from_utf8_lossy(&raw)));
            }
            self.scanned = self.buf.len();
            match self.res.chunk().await {
                Ok(Some(bytes)) => self.buf.extend_from_slice(&bytes),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

fn parse_event(raw: &str) -> SseEvent {
    let field = |name: &str| {
        let values: Vec<&str> = raw.lines().filter_map(|l| l.strip_prefix(name)).map(|v| v.strip_prefix(' ').unwrap_or(v)).collect();
        (!values.is_empty()).then(|| values.join("\n"))
    };
    SseEvent { name: field("event:"), data: field("data:"), id: field("id:") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_by_name_and_data_and_comments_carry_neither() {
        let event = |name: Option<&str>, data: Option<&str>, id: Option<&str>| SseEvent {
            name: name.map(str::to_string),
            data: data.map(str::to_string),
            id: id.map(str::to_string),
        };
        assert_eq!(parse_event("event: directory\ndata: [1]\n\n"), event(Some("directory"), Some("[1]"), None));
        assert_eq!(parse_event("id: 42\ndata: {\"a\":1}\n\n"), event(None, Some("{\"a\":1}"), Some("42")));
        assert_eq!(parse_event("data:x\ndata:y\n\n").data.as_deref(), Some("x\ny"));
        assert_eq!(parse_event(":\n\n"), event(None, None, None));
    }
}
