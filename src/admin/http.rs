//! The HTTP listeners: the AdminServer (`admin.serverAddress:admin.serverPort`, commands under
//! `admin.commandURL`) and the Prometheus `/metrics` endpoint (`metricsProvider.httpHost:httpPort`).
//!
//! Each request is turned into an `AdminQuery` and sent to the core task as `Event::Admin`; the core
//! task renders the answer from its own state and sends it back on a oneshot channel.
//!
//! As ZooKeeper 3.8 (Jetty): GET (and HEAD) only, HTTP 200 for every command (also unknown ones), JSON
//! as `application/json`, `/commands` and `/commands/` list the commands as HTML links; `/metrics`
//! answers `text/plain; version=0.0.4; charset=utf-8` and honours `name[]` filters.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use super::{commands, metrics, AdminContext, AdminState};
use crate::server::core::{Core, Now};
use crate::server::Event;

/// A request for the core task.
#[derive(Debug, Clone)]
pub enum AdminQuery {
    /// An AdminServer command with its query parameters (first value of each).
    Command {
        name: String,
        args: Vec<(String, String)>,
    },
    /// The Prometheus text; `names` = the `name[]` filter (empty = everything).
    Metrics { names: Vec<String> },
}

/// The core task's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminReply {
    pub body: String,
    pub content_type: Option<&'static str>,
}

pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders the answer to `query` (called on the core task).
pub fn answer(
    query: AdminQuery,
    core: &mut Core,
    ctx: &AdminContext,
    state: &mut AdminState,
    now: Now,
) -> AdminReply {
    match query {
        AdminQuery::Command { name, args } => AdminReply {
            body: commands::run(&name, &args, core, ctx, state, now).pretty(),
            content_type: Some("application/json"),
        },
        AdminQuery::Metrics { names } => {
            let gauges = super::gauges(core, None, now);
            let sets = super::quota_gauge_sets(core);
            let process = if ctx.export_process_metrics {
                metrics::process_families(state.start_wall_ms as f64 / 1000.0)
            } else {
                Vec::new()
            };
            let mut fams = core.metrics.families(&gauges, &sets, &process);
            if !names.is_empty() {
                fams.retain(|f| {
                    names.iter().any(|n| {
                        *n == f.name
                            || n.strip_prefix(f.name.as_str())
                                .is_some_and(|s| ["_count", "_sum", "_bucket"].contains(&s))
                    })
                });
            }
            AdminReply {
                body: metrics::prometheus_text(&fams),
                content_type: Some(PROMETHEUS_CONTENT_TYPE),
            }
        }
    }
}

/// Which endpoint a listener serves.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The AdminServer; `command_url` is `admin.commandURL` (default `/commands`).
    Admin { command_url: String },
    /// Prometheus `/metrics`.
    Prometheus,
}

/// Binds `addr`; on failure logs as ZooKeeper does and returns None (the server keeps serving
/// clients without this endpoint).
pub async fn bind(addr: &str, what: &str) -> Option<TcpListener> {
    match TcpListener::bind(addr).await {
        Ok(l) => {
            let local = l.local_addr().map_or_else(|_| addr.to_owned(), |a| a.to_string());
            tracing::info!("Started {what} on address {local}");
            Some(l)
        }
        Err(e) => {
            tracing::error!("Unable to start {what} on {addr}: {e}; continuing without it");
            None
        }
    }
}

/// Serves HTTP on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, endpoint: Endpoint, events: mpsc::Sender<Event>) {
    let endpoint = Arc::new(endpoint);
    loop {
        let (stream, _peer): (_, SocketAddr) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("HTTP accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let endpoint = endpoint.clone();
        let events = events.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let endpoint = endpoint.clone();
                let events = events.clone();
                async move { Ok::<_, Infallible>(handle(req, &endpoint, &events).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn respond(status: StatusCode, content_type: Option<&str>, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(status);
    if let Some(ct) = content_type {
        r = r.header(hyper::header::CONTENT_TYPE, ct);
    }
    r.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn handle(
    req: Request<Incoming>,
    endpoint: &Endpoint,
    events: &mpsc::Sender<Event>,
) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            Some("text/plain"),
            format!("HTTP method {} is not supported by this URL\n", req.method()),
        );
    }
    let path = req.uri().path().to_owned();
    let params = parse_query(req.uri().query().unwrap_or(""));
    let query = match endpoint {
        Endpoint::Admin { command_url } => {
            let base = command_url.trim_end_matches('/');
            let Some(rest) = path.strip_prefix(base) else {
                return not_found();
            };
            if rest.is_empty() || rest == "/" {
                return respond(StatusCode::OK, None, commands::command_links(base));
            }
            let Some(name) = rest.strip_prefix('/') else {
                return not_found();
            };
            let mut args: Vec<(String, String)> = Vec::new();
            for (k, v) in params {
                if !args.iter().any(|(a, _)| *a == k) {
                    args.push((k, v));
                }
            }
            AdminQuery::Command {
                name: percent_decode(name, false),
                args,
            }
        }
        Endpoint::Prometheus => {
            if path != "/metrics" {
                return not_found();
            }
            let names = params
                .into_iter()
                .filter(|(k, _)| k == "name[]")
                .map(|(_, v)| v)
                .collect();
            AdminQuery::Metrics { names }
        }
    };
    let (tx, rx) = oneshot::channel();
    if events.send(Event::Admin { query, reply: tx }).await.is_err() {
        return unavailable();
    }
    match rx.await {
        Ok(r) => respond(StatusCode::OK, r.content_type, r.body),
        Err(_) => unavailable(),
    }
}

fn not_found() -> Response<Full<Bytes>> {
    respond(
        StatusCode::NOT_FOUND,
        Some("text/plain"),
        "Not Found\n".to_owned(),
    )
}

fn unavailable() -> Response<Full<Bytes>> {
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        Some("text/plain"),
        "the server is shutting down\n".to_owned(),
    )
}

/// `a=1&b=x%20y` → [(a, 1), (b, x y)] (form encoding: `+` is a space).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Starts the configured listeners; returns their tasks (abort them on shutdown).
pub async fn start(ctx: &AdminContext, events: &mpsc::Sender<Event>) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    if let Some(a) = &ctx.admin_server {
        if let Some(l) = bind(&a.address, "AdminServer").await {
            if let Ok(addr) = l.local_addr() {
                ctx.bound.record("admin", addr);
            }
            let ep = Endpoint::Admin {
                command_url: a.command_url.clone(),
            };
            tasks.push(tokio::spawn(serve(l, ep, events.clone())));
        }
    }
    if let Some(addr) = &ctx.prometheus {
        if let Some(l) = bind(addr, "Prometheus /metrics endpoint").await {
            if let Ok(addr) = l.local_addr() {
                ctx.bound.record("prometheus", addr);
            }
            tasks.push(tokio::spawn(serve(l, Endpoint::Prometheus, events.clone())));
        }
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_like_a_servlet() {
        assert_eq!(
            parse_query("traceMask=306&x=a+b%2Fc&flag"),
            vec![
                ("traceMask".to_owned(), "306".to_owned()),
                ("x".to_owned(), "a b/c".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode("bad%zz%4", true), "bad%zz%4");
    }
}
