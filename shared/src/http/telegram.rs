//! The Telegram route, `POST /telegram`: the secret header checked in
//! constant time, the body bounded in size and in time, an unreadable update
//! acknowledged (it must not block the chat), the rest handed to the
//! dispatcher, and its outcome told to Telegram as a status (503 asks for a
//! redelivery).

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    body::to_bytes,
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use teloxide_core::types::{Update, UpdateKind};
use tracing::{Instrument, error, warn};

use crate::{
    adapters::telegram_update::read_update,
    bot::{Dispatched, Dispatcher},
    emf::{self, names},
    telemetry::invocation_span,
};

/// Largest update body accepted; Telegram's are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

struct WebhookState {
    dispatcher: Dispatcher,
    secret: SecretString,
    body_timeout: Duration,
}

/// `POST /telegram`: updates from Telegram, checked against the webhook secret.
pub(super) fn route(dispatcher: Dispatcher, secret: SecretString, body_timeout: Duration) -> Router {
    let state = Arc::new(WebhookState { dispatcher, secret, body_timeout });
    Router::new().route("/telegram", post(telegram)).with_state(state)
}

fn secret_matches(headers: &HeaderMap, secret: &SecretString) -> bool {
    let Some(given) = headers.get(SECRET_HEADER) else {
        return false;
    };
    given.as_bytes().ct_eq(secret.expose_secret().as_bytes()).into()
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

async fn telegram(State(state): State<Arc<WebhookState>>, request: Request) -> Response {
    let response = handle(state, request).instrument(invocation_span("webhook")).await;
    emf::flush();
    response
}

fn update_kind(update: &Update) -> &'static str {
    match update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        _ => "other",
    }
}

async fn handle(state: Arc<WebhookState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if !secret_matches(&parts.headers, &state.secret) {
        warn!("webhook call with a missing or wrong secret token");
        metrics::counter!(names::REJECTED, "reason" => "secret").increment(1);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // Telegram calls the public URL: hook URLs are made on it.
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let scheme = match header("x-forwarded-proto") {
        "" => "http",
        proto => proto,
    };
    state.dispatcher.deps().public_url.learn(scheme, header("host"));
    if declared_length(&parts.headers).is_some_and(|n| n > MAX_BODY_BYTES) {
        warn!("update refused: declared body over 1 MB");
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let bytes = match tokio::time::timeout(state.body_timeout, to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            warn!("update refused: body over 1 MB or unreadable");
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
        Err(_) => {
            warn!("update refused: the body did not arrive within {:?}", state.body_timeout);
            return StatusCode::REQUEST_TIMEOUT.into_response();
        }
    };
    let read = match serde_json::from_slice(&bytes).and_then(read_update) {
        Ok(read) => read,
        Err(e) => {
            // A poison update must not block the chat: acknowledge it.
            warn!(error = %e, bytes = bytes.len(), "body is not a Telegram update; acknowledged");
            return StatusCode::OK.into_response();
        }
    };
    let update = read.update;
    if let Some(lost) = &read.lost {
        // What the library could not read is dropped: said without its content.
        warn!(update_id = update.id.0, kind = %lost.kind, error = %lost.error, "update not readable; acknowledged");
        metrics::counter!(names::UPDATES, "kind" => "unparsed").increment(1);
    }
    if let Some(id) = &read.unread_tap {
        state.dispatcher.answer_unread_tap(id).await;
    }
    let (kind, started) = (update_kind(&update), std::time::Instant::now());
    let dispatched = state.dispatcher.dispatch(&update).await;
    metrics::counter!(names::UPDATES, "kind" => kind).increment(1);
    metrics::histogram!(names::UPDATE_MS, "kind" => kind).record(started.elapsed().as_secs_f64() * 1000.0);
    match dispatched {
        Ok(Dispatched::InProgress) => {
            // Ask Telegram to come back: the other delivery may still fail.
            (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "5")]).into_response()
        }
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            error!(update_id = update.id.0, error = %e, "transient failure; Telegram will redeliver");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
