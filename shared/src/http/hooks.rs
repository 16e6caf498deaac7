//! The incoming hooks' route, `POST /hooks/{token}` (F9): anything but POST
//! answers 405 and starts nothing (link previews and mail scanners fetch
//! URLs); a body over 256 KB gets 413, refused on its declared length before
//! it is read; JSON, form and text bodies are read for the run; success is
//! `202 {"run_id": …}` at once, the run queued.

use std::time::Duration;

use axum::{
    Json, Router,
    body::to_bytes,
    extract::{Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Map, Value, json};
use tracing::{Instrument, error, info_span, warn};

use crate::{
    domain::workflow::hook::MAX_HOOK_BODY_BYTES,
    emf,
    services::{
        Deps,
        workflows::hooks::{HookAnswer, HookCall, receive},
    },
};

#[derive(Clone)]
struct HookState {
    deps: Deps,
    body_timeout: Duration,
}

pub(super) fn route(deps: Deps, body_timeout: Duration) -> Router {
    Router::new().route("/hooks/{token}", any(hook)).with_state(HookState { deps, body_timeout })
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

async fn hook(State(state): State<HookState>, Path(token): Path<String>, request: Request) -> Response {
    let response = handle(state, token, request).instrument(info_span!("hook")).await;
    emf::flush();
    response
}

async fn handle(state: HookState, token: String, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        let mut response = answer(StatusCode::METHOD_NOT_ALLOWED, json!({ "error": "use POST" }));
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let declared =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_HOOK_BODY_BYTES) {
        return too_large();
    }
    let raw = match tokio::time::timeout(state.body_timeout, to_bytes(body, MAX_HOOK_BODY_BYTES)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(),
        Err(_) => return answer(StatusCode::REQUEST_TIMEOUT, json!({ "error": "the body took too long" })),
    };
    let body = match read_body(&parts.headers, &raw) {
        Ok(body) => body,
        Err(why) => return answer(StatusCode::BAD_REQUEST, json!({ "error": why })),
    };
    let headers = parts
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_ascii_lowercase(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let query = parts.uri.query().map(read_form).unwrap_or_default();
    let call = HookCall { token: &token, headers, query, body, raw: &raw };
    match receive(&state.deps, &call).await {
        Ok(HookAnswer::Accepted { run, duplicate }) => {
            let mut body = json!({ "run_id": run.code() });
            if duplicate {
                body["duplicate"] = true.into();
            }
            answer(StatusCode::ACCEPTED, body)
        }
        Ok(HookAnswer::NotFound) => answer(StatusCode::NOT_FOUND, json!({ "error": "not found" })),
        Ok(HookAnswer::Unauthorized(why)) => {
            answer(StatusCode::UNAUTHORIZED, json!({ "error": why.to_string() }))
        }
        Ok(HookAnswer::RateLimited { retry_after }) => {
            let mut response = answer(StatusCode::TOO_MANY_REQUESTS, json!({ "error": "too many requests" }));
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Ok(HookAnswer::InProgress) => {
            answer(StatusCode::CONFLICT, json!({ "error": "this delivery is being handled; retry later" }))
        }
        Err(e) if e.is_transient() => {
            warn!(error = %e, "hook call failed on something temporary");
            answer(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "temporarily unavailable; retry" }))
        }
        Err(e) => {
            error!(error = %e, "hook call failed");
            answer(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": "internal error" }))
        }
    }
}

fn too_large() -> Response {
    warn!("hook call refused: body over 256 KB");
    answer(StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": "the body is over 256 KB" }))
}

/// The body as the run sees it: JSON parsed, a form's fields, or the text;
/// empty is `null`.
fn read_body(headers: &HeaderMap, raw: &[u8]) -> Result<Value, String> {
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let text = std::str::from_utf8(raw).map_err(|_| "the body is not UTF-8 text".to_owned());
    if kind.starts_with("application/json") || kind.contains("+json") {
        return serde_json::from_slice(raw).map_err(|e| format!("the body is not valid JSON: {e}"));
    }
    if kind.starts_with("application/x-www-form-urlencoded") {
        return Ok(Value::Object(read_form(text?)));
    }
    Ok(Value::String(text?.to_owned()))
}

/// `a=1&b=two%20words` as an object (a repeated name keeps its last value).
fn read_form(text: &str) -> Map<String, Value> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), Value::String(decode(value)))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_queries_are_read_as_fields() {
        let form = read_form("status=failed&message=disk+full%21&empty=&odd=%zz&tail=%4");
        assert_eq!(form["status"], "failed");
        assert_eq!(form["message"], "disk full!");
        assert_eq!(form["empty"], "");
        assert_eq!(form["odd"], "%zz");
        assert_eq!(form["tail"], "%4");
    }
}
