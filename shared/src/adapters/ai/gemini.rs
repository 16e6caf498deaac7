//! Google Gemini (`POST {base}/v1beta/models/{model}:generateContent`).

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{Endpoint, exchange};
use crate::domain::assistant::Role;
use crate::ports::ai::{AiProvider, ChatReply, ChatRequest, ProviderError, ToolCall};

pub use crate::config::DEFAULT_GEMINI_BASE_URL as DEFAULT_BASE_URL;
pub use crate::config::DEFAULT_GEMINI_MODEL as DEFAULT_MODEL;

#[derive(Debug)]
pub struct Gemini {
    endpoint: Endpoint,
}

impl Gemini {
    pub fn new(key: SecretString, base_url: &str, model: &str) -> Result<Gemini, ProviderError> {
        Gemini::with_timeout(key, base_url, model, super::REQUEST_TIMEOUT)
    }

    /// With each call limited to `timeout` (a timeout is transient).
    pub fn with_timeout(
        key: SecretString,
        base_url: &str,
        model: &str,
        timeout: std::time::Duration,
    ) -> Result<Gemini, ProviderError> {
        Ok(Gemini { endpoint: Endpoint::new(key, base_url, model, timeout)? })
    }

    fn body(request: &ChatRequest) -> Value {
        let mut contents: Vec<Value> = request
            .turns
            .iter()
            .map(|turn| {
                let role = match turn.role {
                    Role::User => "user",
                    Role::Assistant => "model",
                };
                json!({ "role": role, "parts": [{ "text": turn.text }] })
            })
            .collect();
        if !request.tool_results.is_empty() {
            let calls: Vec<Value> = request
                .tool_results
                .iter()
                .map(|(call, _)| json!({ "functionCall": { "name": call.name, "args": call.arguments } }))
                .collect();
            contents.push(json!({ "role": "model", "parts": calls }));
            let results: Vec<Value> = request
                .tool_results
                .iter()
                .map(|(call, result)| {
                    json!({ "functionResponse": { "name": call.name, "response": { "result": result } } })
                })
                .collect();
            contents.push(json!({ "role": "user", "parts": results }));
        }
        let mut body = json!({
            "systemInstruction": { "parts": [{ "text": request.system }] },
            "contents": contents,
        });
        if !request.tools.is_empty() {
            let declarations: Vec<Value> = request
                .tools
                .iter()
                .map(|t| json!({ "name": t.name, "description": t.description, "parameters": t.parameters }))
                .collect();
            body["tools"] = json!([{ "functionDeclarations": declarations }]);
        }
        body
    }
}

fn reply(body: &Value) -> Result<ChatReply, ProviderError> {
    let parts = body["candidates"][0]["content"]["parts"].as_array().cloned().unwrap_or_default();
    let calls: Vec<ToolCall> = parts
        .iter()
        .filter_map(|p| p.get("functionCall"))
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_owned();
            ToolCall { id: name.clone(), name, arguments: c["args"].clone() }
        })
        .collect();
    if !calls.is_empty() {
        return Ok(ChatReply::ToolCalls(calls));
    }
    let text: String = parts.iter().filter_map(|p| p["text"].as_str()).collect();
    if text.is_empty() {
        let reason = body["candidates"][0]["finishReason"].as_str().unwrap_or("no candidate");
        return Err(ProviderError::Unavailable(format!("no answer ({reason})")));
    }
    Ok(ChatReply::Text(text))
}

#[async_trait]
impl AiProvider for Gemini {
    fn name(&self) -> &'static str {
        "gemini"
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatReply, ProviderError> {
        let request = self
            .endpoint
            .http
            .post(format!("{}/v1beta/models/{}:generateContent", self.endpoint.base_url, self.endpoint.model))
            .header("x-goog-api-key", self.endpoint.key.expose_secret())
            .json(&Gemini::body(request));
        reply(&exchange(request).await?)
    }
}
