//! OpenAI Chat Completions (`POST {base}/v1/chat/completions`).

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{Endpoint, exchange};
use crate::domain::assistant::Role;
use crate::ports::ai::{AiProvider, ChatReply, ChatRequest, ProviderError, ToolCall};

pub use crate::config::DEFAULT_OPENAI_BASE_URL as DEFAULT_BASE_URL;
pub use crate::config::DEFAULT_OPENAI_MODEL as DEFAULT_MODEL;

#[derive(Debug)]
pub struct OpenAi {
    endpoint: Endpoint,
}

impl OpenAi {
    pub fn new(key: SecretString, base_url: &str, model: &str) -> Result<OpenAi, ProviderError> {
        OpenAi::with_timeout(key, base_url, model, super::REQUEST_TIMEOUT)
    }

    /// With each call limited to `timeout` (a timeout is transient).
    pub fn with_timeout(
        key: SecretString,
        base_url: &str,
        model: &str,
        timeout: std::time::Duration,
    ) -> Result<OpenAi, ProviderError> {
        Ok(OpenAi { endpoint: Endpoint::new(key, base_url, model, timeout)? })
    }

    fn body(&self, request: &ChatRequest) -> Value {
        let mut messages = vec![json!({ "role": "system", "content": request.system })];
        for turn in &request.turns {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            messages.push(json!({ "role": role, "content": turn.text }));
        }
        if !request.tool_results.is_empty() {
            let calls: Vec<Value> = request
                .tool_results
                .iter()
                .map(|(call, _)| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": { "name": call.name, "arguments": call.arguments.to_string() },
                    })
                })
                .collect();
            messages.push(json!({ "role": "assistant", "content": null, "tool_calls": calls }));
            for (call, result) in &request.tool_results {
                messages
                    .push(json!({ "role": "tool", "tool_call_id": call.id, "content": result.to_string() }));
            }
        }
        let mut body = json!({ "model": self.endpoint.model, "messages": messages });
        if !request.tools.is_empty() {
            body["tools"] = request
                .tools
                .iter()
                .map(|t| {
                    json!({
                        "type": "function",
                        "function": { "name": t.name, "description": t.description, "parameters": t.parameters },
                    })
                })
                .collect();
        }
        body
    }
}

fn reply(body: &Value) -> Result<ChatReply, ProviderError> {
    let message = &body["choices"][0]["message"];
    if let Some(calls) = message["tool_calls"].as_array().filter(|c| !c.is_empty()) {
        let calls = calls
            .iter()
            .map(|c| {
                let arguments = c["function"]["arguments"].as_str().unwrap_or("{}");
                Ok(ToolCall {
                    id: c["id"].as_str().unwrap_or_default().to_owned(),
                    name: c["function"]["name"].as_str().unwrap_or_default().to_owned(),
                    arguments: serde_json::from_str(arguments)
                        .map_err(|_| ProviderError::Unavailable("tool arguments are not JSON".into()))?,
                })
            })
            .collect::<Result<Vec<_>, ProviderError>>()?;
        return Ok(ChatReply::ToolCalls(calls));
    }
    message["content"]
        .as_str()
        .map(|text| ChatReply::Text(text.to_owned()))
        .ok_or_else(|| ProviderError::Unavailable("no answer in the response".into()))
}

#[async_trait]
impl AiProvider for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatReply, ProviderError> {
        let request = self
            .endpoint
            .http
            .post(format!("{}/v1/chat/completions", self.endpoint.base_url))
            .bearer_auth(self.endpoint.key.expose_secret())
            .json(&self.body(request));
        reply(&exchange(request).await?)
    }
}
