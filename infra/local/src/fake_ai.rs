//! Local stand-ins for the OpenAI Chat Completions and Gemini generateContent
//! APIs: their paths, request and response JSON, key checks and error bodies
//! (401 / 400 API_KEY_INVALID, 429 with Retry-After, 500), recording every
//! request. Scripted answers are served in order; with none left the fake
//! echoes the last user message, or, in demo mode (the console's `--fake-ai`),
//! turns "remind me to …" into a create_task call and "my tasks" into list_tasks.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

/// What the next call gets.
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    Text(String),
    ToolCall {
        name: String,
        arguments: Value,
    },
    /// 429, with `Retry-After` seconds.
    RateLimited {
        retry_after: u32,
    },
    /// 500.
    ServerError,
    /// No answer for this many seconds (then a 500): a client's timeout.
    Hang {
        seconds: u64,
    },
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Scripted>,
    requests: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeAi {
    pub addr: SocketAddr,
    key: Arc<str>,
    demo: bool,
    inner: Arc<Mutex<Inner>>,
}

impl FakeAi {
    /// Starts on a free loopback port, accepting `key`, for both APIs.
    pub async fn start(key: &str) -> std::io::Result<FakeAi> {
        FakeAi::start_on(key, 0, false).await
    }

    /// Starts in demo mode on a free port: answers that show off the assistant.
    pub async fn start_demo(key: &str) -> std::io::Result<FakeAi> {
        FakeAi::start_on(key, 0, true).await
    }

    /// Starts on `port` (0: any free one).
    pub async fn start_on(key: &str, port: u16, demo: bool) -> std::io::Result<FakeAi> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let fake = FakeAi { addr: listener.local_addr()?, key: key.into(), demo, inner: Arc::default() };
        let app = Router::new()
            .route("/v1/chat/completions", post(openai))
            .route("/v1beta/models/{call}", post(gemini))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// The base URL for either provider's configuration.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn script(&self, next: Scripted) {
        self.lock().script.push_back(next);
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }

    /// The next answer: scripted, else the demo's, else an echo.
    fn next(&self, body: Value, last_user: &str, tool_result: Option<Value>) -> Scripted {
        // The system prompt says which language to answer in, as it does to a real model.
        let french = body.to_string().contains("Answer in French");
        let mut inner = self.lock();
        inner.requests.push(body);
        match inner.script.pop_front() {
            Some(next) => next,
            None if self.demo => demo(last_user, tool_result, french),
            None => Scripted::Text(String::new()),
        }
    }
}

/// The demo's answers: tools for reminders and the task list, Markdown
/// otherwise, in French when the system prompt asks for it.
fn demo(last_user: &str, tool_result: Option<Value>, french: bool) -> Scripted {
    let say = |en: String, fr: String| if french { fr } else { en };
    if let Some(result) = tool_result {
        let text = if let Some(error) = result["error"].as_str() {
            say(format!("I could not do that: {error}"), format!("Je n'ai pas pu le faire : {error}"))
        } else if let Some(tasks) = result["tasks"].as_array() {
            let lines: Vec<String> = tasks
                .iter()
                .map(|t| {
                    format!(
                        "- #{} **{}** {}",
                        t["number"],
                        t["title"].as_str().unwrap_or_default(),
                        t["due"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            if lines.is_empty() {
                say("You have no pending tasks.".into(), "Vous n'avez aucune tâche en cours.".into())
            } else {
                say(
                    format!("Your tasks:\n{}", lines.join("\n")),
                    format!("Vos tâches :\n{}", lines.join("\n")),
                )
            }
        } else if let Some(title) = result["title"].as_str() {
            let (number, due) = (&result["number"], result["due"].as_str());
            say(
                format!("Done: task #{number} **{title}**, {}.", due.unwrap_or("no time")),
                format!("C'est fait : tâche n°{number} **{title}**, {}.", due.unwrap_or("sans heure")),
            )
        } else {
            say("Done.".into(), "C'est fait.".into())
        };
        return Scripted::Text(text);
    }
    let lower = last_user.to_lowercase();
    for prefix in ["remind me to ", "remind me ", "rappelle-moi de ", "rappelle-moi "] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return Scripted::ToolCall { name: "create_task".into(), arguments: json!({ "text": rest }) };
        }
    }
    if lower.contains("my tasks") || lower.contains("mes tâches") {
        return Scripted::ToolCall { name: "list_tasks".into(), arguments: json!({}) };
    }
    Scripted::Text(say(
        format!("(fake AI) You said: **{last_user}**"),
        format!("(fausse IA) Vous avez dit : **{last_user}**"),
    ))
}

fn openai_error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": kind, "param": null, "code": code } });
    (status, Json(body)).into_response()
}

async fn openai(State(fake): State<FakeAi>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let expected = format!("Bearer {}", fake.key);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return openai_error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        );
    }
    let last_user = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let tool_result = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .filter(|m| m["role"] == "tool")
        .and_then(|m| m["content"].as_str())
        .and_then(|c| serde_json::from_str(c).ok());
    let message = match fake.next(body, &last_user, tool_result) {
        Scripted::Text(text) => {
            let text = if text.is_empty() { format!("You said: {last_user}") } else { text };
            json!({ "role": "assistant", "content": text, "refusal": null })
        }
        Scripted::ToolCall { name, arguments } => json!({
            "role": "assistant",
            "content": null,
            "tool_calls": [{
                "id": format!("call_{}", name.len()),
                "type": "function",
                "function": { "name": name, "arguments": arguments.to_string() },
            }],
        }),
        Scripted::RateLimited { retry_after } => {
            let mut response = openai_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached for requests. Please try again later.",
                "requests",
                "rate_limit_exceeded",
            );
            if let Ok(value) = retry_after.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            return response;
        }
        Scripted::Hang { seconds } => {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            return openai_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                "server_error",
            );
        }
        Scripted::ServerError => {
            return openai_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                "server_error",
            );
        }
    };
    let finish = if message["tool_calls"].is_array() { "tool_calls" } else { "stop" };
    Json(json!({
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": chrono::Utc::now().timestamp(),
        "model": "gpt-4o-mini",
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": { "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15 },
    }))
    .into_response()
}

fn gemini_error(status: StatusCode, message: &str, code_name: &str) -> Response {
    let body = json!({ "error": { "code": status.as_u16(), "message": message, "status": code_name } });
    (status, Json(body)).into_response()
}

async fn gemini(
    State(fake): State<FakeAi>,
    Path(call): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !call.ends_with(":generateContent") {
        return gemini_error(StatusCode::NOT_FOUND, "Method not found.", "NOT_FOUND");
    }
    match headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()) {
        None => {
            return gemini_error(
                StatusCode::FORBIDDEN,
                "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API.",
                "PERMISSION_DENIED",
            );
        }
        Some(key) if key != &*fake.key => {
            let body = json!({ "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com" }],
            }});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
        Some(_) => {}
    }
    let last_user = body["contents"]
        .as_array()
        .and_then(|c| c.iter().rev().find(|c| c["role"] == "user" && c["parts"][0]["text"].is_string()))
        .and_then(|c| c["parts"][0]["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    let tool_result = body["contents"]
        .as_array()
        .and_then(|c| c.last())
        .map(|c| c["parts"][0]["functionResponse"]["response"]["result"].clone())
        .filter(|r| !r.is_null());
    let parts = match fake.next(body, &last_user, tool_result) {
        Scripted::Text(text) => {
            let text = if text.is_empty() { format!("You said: {last_user}") } else { text };
            json!([{ "text": text }])
        }
        Scripted::ToolCall { name, arguments } => {
            json!([{ "functionCall": { "name": name, "args": arguments } }])
        }
        Scripted::RateLimited { retry_after } => {
            let mut response = gemini_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Resource has been exhausted (e.g. check quota).",
                "RESOURCE_EXHAUSTED",
            );
            if let Ok(value) = retry_after.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            return response;
        }
        Scripted::Hang { seconds } => {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            return gemini_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error encountered.",
                "INTERNAL",
            );
        }
        Scripted::ServerError => {
            return gemini_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error encountered.",
                "INTERNAL",
            );
        }
    };
    Json(json!({
        "candidates": [{ "content": { "role": "model", "parts": parts }, "finishReason": "STOP", "index": 0 }],
        "usageMetadata": { "promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15 },
        "modelVersion": "gemini-2.0-flash",
    }))
    .into_response()
}
