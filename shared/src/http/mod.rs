//! The HTTP routes of the deployed API, served by the Lambda through
//! `lambda_http` and by the local runner through axum: one module per route
//! family (`telegram`, the workflow hooks `/hooks/{token}`; the OAuth
//! callbacks, `/oauth/{provider}/callback`, join here), merged by
//! [`routes`], with `GET /health`.

mod hooks;
mod telegram;

use std::time::Duration;

use axum::{Router, routing::get};
use secrecy::SecretString;

pub use self::telegram::{MAX_BODY_BYTES, SECRET_HEADER};
use crate::bot::Dispatcher;

/// How long a body may take to arrive: a client sending a byte a second does
/// not hold a request open for good (on Lambda the body is whole already).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The routes: `POST /telegram`, `POST /hooks/{token}` and `GET /health`.
pub fn routes(dispatcher: Dispatcher, secret: SecretString) -> Router {
    routes_with(dispatcher, secret, BODY_READ_TIMEOUT)
}

/// [`routes`] with another body read timeout.
pub fn routes_with(dispatcher: Dispatcher, secret: SecretString, body_timeout: Duration) -> Router {
    let deps = dispatcher.deps().clone();
    Router::new()
        .merge(telegram::route(dispatcher, secret, body_timeout))
        .merge(hooks::route(deps, body_timeout))
        .route("/health", get(health))
}

/// `GET /health`: the function answers (it reads nothing else).
async fn health() -> &'static str {
    "ok"
}
