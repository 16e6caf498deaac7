//! A local stand-in for Telegram's Bot API: same paths (`/bot<token>/<method>`),
//! same JSON envelopes and error bodies, recording every call. Used by the tests,
//! the benchmarks and `linklet fake-telegram`.

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

/// The bot the fake pretends to be.
pub const BOT_ID: i64 = 7_000_000_001;
pub const BOT_USERNAME: &str = "LinkletBot";

/// A failure the fake answers with once, for one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429 with `parameters.retry_after`.
    TooManyRequests { retry_after: u32 },
    /// 403: the user blocked the bot.
    Blocked,
    /// 500.
    ServerError,
    /// 400 with this description.
    BadRequest(String),
}

/// One recorded Bot API call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub params: Value,
    /// Whether the fake answered `ok: true`.
    pub ok: bool,
    /// When the fake received it.
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    delays: HashMap<String, Duration>,
    updates: Vec<Value>,
    next_message_id: i64,
    echo: bool,
}

/// A running fake; cheap to clone.
#[derive(Clone)]
pub struct FakeTelegram {
    pub addr: SocketAddr,
    token: Arc<str>,
    inner: Arc<Mutex<Inner>>,
}

impl FakeTelegram {
    /// Starts on a free loopback port; it stops with the runtime.
    pub async fn start(token: &str) -> std::io::Result<FakeTelegram> {
        FakeTelegram::start_on(token, 0, false).await
    }

    /// Starts on `port` (0: any free one); `echo` prints every call.
    pub async fn start_on(token: &str, port: u16, echo: bool) -> std::io::Result<FakeTelegram> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let inner = Inner { next_message_id: 1000, echo, ..Inner::default() };
        let fake = FakeTelegram {
            addr: listener.local_addr()?,
            token: token.into(),
            inner: Arc::new(Mutex::new(inner)),
        };
        let app = Router::new().route("/{bot}/{method}", post(handle)).with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// The value for `TELEGRAM_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Answers the next call of `method` with `failure` (queued, one per call).
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.lock().failures.entry(method.to_owned()).or_default().push_back(failure);
    }

    /// Makes every call of `method` take `delay` before it is answered.
    pub fn delay(&self, method: &str, delay: Duration) {
        self.lock().delays.insert(method.to_owned(), delay);
    }

    /// Queues an update for `getUpdates` (long polling).
    pub fn push_update(&self, update: Value) {
        self.lock().updates.push(update);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The successful calls of `method`, their parameters.
    pub fn successful(&self, method: &str) -> Vec<Value> {
        self.lock().calls.iter().filter(|c| c.method == method && c.ok).map(|c| c.params.clone()).collect()
    }

    /// Texts the bot delivered with sendMessage, in order.
    pub fn sent_texts(&self) -> Vec<String> {
        self.successful("sendMessage")
            .iter()
            .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The text of the last message sent, or "" before any.
    pub fn last_text(&self) -> String {
        self.sent_texts().pop().unwrap_or_default()
    }
}

fn error(status: StatusCode, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({ "ok": false, "error_code": status.as_u16(), "description": description });
    if let Some(p) = parameters {
        body["parameters"] = p;
    }
    (status, Json(body)).into_response()
}

fn failure_response(failure: &Failure) -> Response {
    match failure {
        Failure::TooManyRequests { retry_after } => error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too Many Requests: retry after {retry_after}"),
            Some(json!({ "retry_after": retry_after })),
        ),
        Failure::Blocked => error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user", None),
        Failure::ServerError => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", None),
        Failure::BadRequest(text) => error(StatusCode::BAD_REQUEST, text, None),
    }
}

fn ok(result: Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}

fn chat(id: i64) -> Value {
    if id > 0 {
        json!({ "id": id, "type": "private", "first_name": "User" })
    } else {
        json!({ "id": id, "type": "supergroup", "title": "Group" })
    }
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Linklet", "username": BOT_USERNAME })
}

/// Telegram's checks on a message: text length, HTML entities, button data.
fn check_message(params: &Value) -> Result<(), String> {
    let text = params["text"].as_str().unwrap_or_default();
    if text.trim().is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if text.chars().count() > 4096 {
        return Err("Bad Request: message is too long".into());
    }
    if params["parse_mode"] == "HTML" {
        linklet::presentation::telegram_html::check(text)
            .map_err(|e| format!("Bad Request: can't parse entities: {e}"))?;
    }
    for row in params["reply_markup"]["inline_keyboard"].as_array().into_iter().flatten() {
        for button in row.as_array().into_iter().flatten() {
            // A copy button (Bot API 7.11) carries 1-256 characters to copy, no data.
            if let Some(copied) = button["copy_text"]["text"].as_str() {
                if copied.is_empty() || copied.chars().count() > 256 {
                    return Err("Bad Request: COPY_TEXT_INVALID".into());
                }
                continue;
            }
            let data = button["callback_data"].as_str().unwrap_or_default();
            if data.is_empty() || data.len() > 64 {
                return Err("Bad Request: BUTTON_DATA_INVALID".into());
            }
        }
    }
    Ok(())
}

async fn handle(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut params: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return error(StatusCode::BAD_REQUEST, "Bad Request: invalid JSON", None),
        }
    };
    // Method names are case-insensitive (teloxide sends `SendMessage`): record them as documented.
    let method = documented_name(&method);
    if bot.strip_prefix("bot") != Some(&*fake.token) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized", None);
    }
    let delay = fake.lock().delays.get(&method).copied();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if method == "getUpdates" {
        return get_updates(&fake, &params).await;
    }
    let failure = fake.lock().failures.get_mut(&method).and_then(VecDeque::pop_front);
    let response = match failure {
        Some(failure) => failure_response(&failure),
        None => answer(&fake, &method, &mut params).unwrap_or_else(|refusal| *refusal),
    };
    let ok = response.status().is_success();
    {
        let mut inner = fake.lock();
        if inner.echo {
            let mut shown = params.clone();
            if shown.get("secret_token").is_some() {
                shown["secret_token"] = "[redacted]".into();
            }
            println!("fake-telegram: {method} {shown}");
        }
        inner.calls.push(Call { method, params, ok, at: chrono::Utc::now() });
    }
    response
}

fn documented_name(method: &str) -> String {
    const METHODS: [&str; 10] = [
        "deleteMessage",
        "getMe",
        "sendMessage",
        "editMessageText",
        "answerCallbackQuery",
        "deleteWebhook",
        "setWebhook",
        "setMyCommands",
        "sendChatAction",
        "getUpdates",
    ];
    METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
}

/// The answer to a call, or Telegram's refusal of it.
/// The answer to `method`; a message sent is recorded with the id it was
/// given (`sent_message_id`), which tests use to tap its buttons.
fn answer(fake: &FakeTelegram, method: &str, params: &mut Value) -> Result<Response, Box<Response>> {
    let bad = |text: String| Box::new(error(StatusCode::BAD_REQUEST, &text, None));
    match method {
        "getMe" => {
            let mut me = bot_user();
            for (field, value) in [
                ("can_join_groups", true),
                ("can_read_all_group_messages", false),
                ("supports_inline_queries", false),
                ("can_connect_to_business", false),
                ("has_main_web_app", false),
            ] {
                me[field] = value.into();
            }
            Ok(ok(me))
        }
        "sendMessage" | "editMessageText" => {
            check_message(params).map_err(bad)?;
            let chat_id =
                params["chat_id"].as_i64().ok_or_else(|| bad("Bad Request: chat not found".into()))?;
            let message_id = match params["message_id"].as_i64() {
                Some(id) => id,
                None => {
                    let mut inner = fake.lock();
                    inner.next_message_id += 1;
                    params["sent_message_id"] = inner.next_message_id.into();
                    inner.next_message_id
                }
            };
            let mut message = json!({
                "message_id": message_id,
                "date": chrono::Utc::now().timestamp(),
                "chat": chat(chat_id),
                "from": bot_user(),
                "text": params["text"],
            });
            if params["reply_markup"].is_object() {
                message["reply_markup"] = params["reply_markup"].clone();
            }
            Ok(ok(message))
        }
        "answerCallbackQuery" => {
            if params["callback_query_id"].as_str().is_none_or(str::is_empty) {
                return Err(bad(
                    "Bad Request: query is too old and response timeout expired or query ID is invalid"
                        .into(),
                ));
            }
            Ok(ok(json!(true)))
        }
        "deleteMessage" => {
            if params["chat_id"].as_i64().is_none() || params["message_id"].as_i64().is_none() {
                return Err(bad("Bad Request: message to delete not found".into()));
            }
            Ok(ok(json!(true)))
        }
        "deleteWebhook" | "setWebhook" | "setMyCommands" | "sendChatAction" => Ok(ok(json!(true))),
        _ => Err(Box::new(error(StatusCode::NOT_FOUND, "Not Found", None))),
    }
}

async fn get_updates(fake: &FakeTelegram, params: &Value) -> Response {
    let offset = params["offset"].as_i64().unwrap_or(0);
    let wait = Duration::from_secs(params["timeout"].as_u64().unwrap_or(0).min(2));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let ready: Vec<Value> = {
            let mut inner = fake.lock();
            inner.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            inner.updates.clone()
        };
        if !ready.is_empty() || tokio::time::Instant::now() >= deadline {
            fake.lock().calls.push(Call {
                method: "getUpdates".into(),
                params: params.clone(),
                ok: true,
                at: chrono::Utc::now(),
            });
            return ok(Value::Array(ready));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
