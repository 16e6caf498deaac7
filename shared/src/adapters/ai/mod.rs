//! AI providers over HTTP: OpenAI Chat Completions and Google Gemini
//! `generateContent`, with their errors sorted the same way.

pub mod gemini;
pub mod openai;

use std::{sync::Arc, time::Duration};

use reqwest::{Response, StatusCode, header::RETRY_AFTER};
use secrecy::SecretString;

use crate::{
    config::{AiConfig, AiProviderName},
    ports::ai::{AiProvider, ProviderError},
};

/// The assistant's providers in order of preference: the configured one, then
/// the other as its fallback. A provider without a key is left out; none at all
/// means the assistant is off.
pub fn providers(
    ai: &AiConfig,
    openai_key: Option<&SecretString>,
    gemini_key: Option<&SecretString>,
) -> Result<Vec<Arc<dyn AiProvider>>, ProviderError> {
    let openai = match openai_key {
        Some(key) => Some(Arc::new(openai::OpenAi::with_timeout(
            key.clone(),
            &ai.openai_base_url,
            &ai.openai_model,
            ai.timeout,
        )?) as Arc<dyn AiProvider>),
        None => None,
    };
    let gemini = match gemini_key {
        Some(key) => Some(Arc::new(gemini::Gemini::with_timeout(
            key.clone(),
            &ai.gemini_base_url,
            &ai.gemini_model,
            ai.timeout,
        )?) as Arc<dyn AiProvider>),
        None => None,
    };
    let ordered = match ai.primary {
        AiProviderName::OpenAi => [openai, gemini],
        AiProviderName::Gemini => [gemini, openai],
    };
    Ok(ordered.into_iter().flatten().collect())
}

/// How long one provider call may take by default (`AI_TIMEOUT_SECONDS`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What each provider holds: one HTTP client, the API's base URL, the model
/// and the key. `Debug` shows the URL and model, never the key.
pub(crate) struct Endpoint {
    pub http: reqwest::Client,
    pub base_url: String,
    pub model: String,
    pub key: SecretString,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("base_url", &self.base_url).field("model", &self.model).finish()
    }
}

impl Endpoint {
    pub fn new(
        key: SecretString,
        base_url: &str,
        model: &str,
        timeout: Duration,
    ) -> Result<Endpoint, ProviderError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(Endpoint {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            model: model.to_owned(),
            key,
        })
    }
}

/// Sends a provider request and reads its JSON answer, or sorts its failure.
pub(crate) async fn exchange(request: reqwest::RequestBuilder) -> Result<serde_json::Value, ProviderError> {
    let response = request.send().await.map_err(|e| transport(&e))?;
    if !response.status().is_success() {
        return Err(failure(response).await);
    }
    response.json().await.map_err(|e| transport(&e))
}

/// A failed HTTP exchange, sorted; the body's `error.message` is kept (both
/// providers use that shape), the request (and its key) never.
async fn failure(response: Response) -> ProviderError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let message = body["error"]["message"].as_str().unwrap_or_default().chars().take(300).collect::<String>();
    // Gemini answers a wrong key with 400 and reason API_KEY_INVALID.
    let bad_key = body["error"]["details"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["reason"] == "API_KEY_INVALID"));
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ProviderError::Unauthorized,
        _ if bad_key => ProviderError::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited { retry_after },
        s if s.is_server_error() => ProviderError::Unavailable(format!("{s}: {message}")),
        s => ProviderError::BadRequest(format!("{s}: {message}")),
    }
}

/// A transport failure (no HTTP answer), without the URL.
fn transport(e: &reqwest::Error) -> ProviderError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "network error"
    };
    ProviderError::Unavailable(what.to_owned())
}
