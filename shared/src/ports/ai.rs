//! The AI provider port: a chat with tools, answered with text or tool calls.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::domain::assistant::Turn;

/// A tool the assistant may call, described by a JSON Schema of its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

/// A call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The provider's id for the call (OpenAI's `call_…`; Gemini has none, so the name).
    pub id: String,
    pub name: String,
    pub arguments: Value,
}

/// One round of a chat: instructions, the conversation so far, the tools, and
/// the calls already made in this round with their results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub turns: Vec<Turn>,
    pub tools: Vec<ToolSpec>,
    pub tool_results: Vec<(ToolCall, Value)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChatReply {
    Text(String),
    ToolCalls(Vec<ToolCall>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// 401/403: the key is wrong or revoked; the operator must fix it.
    #[error("the provider refused the API key")]
    Unauthorized,
    /// 429: slow down (after `retry_after` when the provider says).
    #[error("rate limited by the provider")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, a timeout or the network: retrying (or the other provider) may work.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// 400: the request itself is wrong; retrying will not help.
    #[error("the provider refused the request: {0}")]
    BadRequest(String),
}

impl ProviderError {
    /// Worth retrying, or trying the fallback provider.
    pub fn is_transient(&self) -> bool {
        matches!(self, ProviderError::RateLimited { .. } | ProviderError::Unavailable(_))
    }
}

#[async_trait]
pub trait AiProvider: Send + Sync {
    /// `openai` or `gemini`, for logs.
    fn name(&self) -> &'static str;

    async fn chat(&self, request: &ChatRequest) -> Result<ChatReply, ProviderError>;
}
