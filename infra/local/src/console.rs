//! Console mode: type messages, tap buttons by number, read the bot's answers.
//! Each line becomes a Telegram update posted to the same routes as the Lambda.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use crate::{console_text::Line, wiring::Local};
use async_trait::async_trait;
use axum::{body::Body, http::Request};
use linklet::{
    bot::Dispatcher,
    domain::Language,
    http::{SECRET_HEADER, routes},
    ports::{Button, ChatId, Messenger, MessengerError, OutMessage},
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tower::ServiceExt;

use linklet::presentation::catalog::plain_text as plain;

/// The console's pretend Telegram user.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub first_name: String,
    pub language_code: String,
}

impl Person {
    /// The language of the console's own lines: the one the bot starts with.
    pub fn lang(&self) -> Language {
        Language::from_telegram(Some(&self.language_code))
    }
}

#[derive(Default)]
struct Screen {
    /// The buttons last shown, and the message that holds them.
    buttons: Vec<Button>,
    buttons_message: i64,
    next_message_id: i64,
    /// "typing…" was printed since the last message (it is shown once).
    typing_shown: bool,
}

/// Prints what the bot says; remembers the last buttons so a number taps one.
#[derive(Clone)]
pub struct ConsoleMessenger {
    screen: Arc<Mutex<Screen>>,
    lang: Language,
}

impl ConsoleMessenger {
    pub fn new(lang: Language) -> ConsoleMessenger {
        ConsoleMessenger { screen: Arc::default(), lang }
    }

    fn screen(&self) -> std::sync::MutexGuard<'_, Screen> {
        self.screen.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn show(&self, message_id: i64, message: &OutMessage, edited: bool) {
        let mut screen = self.screen();
        screen.typing_shown = false;
        let label = match (edited, self.lang) {
            (false, _) => "bot",
            (true, Language::En) => "bot (edited)",
            (true, Language::Fr) => "bot (modifié)",
        };
        let text = plain(&message.html).replace('\n', "\n      ");
        println!("\n{label} › {text}");
        if !message.keyboard.is_empty() {
            screen.buttons = message.keyboard.iter().flatten().cloned().collect();
            screen.buttons_message = message_id;
            for row in &message.keyboard {
                let start = screen.buttons.iter().position(|b| Some(b) == row.first()).unwrap_or(0);
                let cells: Vec<String> =
                    row.iter().enumerate().map(|(i, b)| format!("[{}] {}", start + i + 1, b.label)).collect();
                println!("      {}", cells.join("   "));
            }
        } else if screen.buttons_message == message_id {
            screen.buttons.clear();
        }
    }
}

#[async_trait]
impl Messenger for ConsoleMessenger {
    async fn send(&self, chat: ChatId, message: &OutMessage) -> Result<(), MessengerError> {
        self.post(chat, message).await.map(|_| ())
    }

    async fn post(&self, _chat: ChatId, message: &OutMessage) -> Result<i32, MessengerError> {
        let id = {
            let mut screen = self.screen();
            screen.next_message_id += 1;
            screen.next_message_id
        };
        self.show(id, message, false);
        Ok(i32::try_from(id).unwrap_or(i32::MAX))
    }

    async fn edit(&self, _chat: ChatId, message_id: i32, message: &OutMessage) -> Result<(), MessengerError> {
        self.show(i64::from(message_id), message, true);
        Ok(())
    }

    async fn answer_callback(&self, _id: &str, toast: Option<&str>) -> Result<(), MessengerError> {
        if let Some(toast) = toast {
            println!("      ({toast})");
        }
        Ok(())
    }

    async fn delete(&self, _chat: ChatId, _message_id: i32) -> Result<(), MessengerError> {
        println!("      {}", Line::Deleted.render(self.lang));
        Ok(())
    }

    async fn typing(&self, _chat: ChatId) -> Result<(), MessengerError> {
        let mut screen = self.screen();
        if !screen.typing_shown {
            screen.typing_shown = true;
            println!("      {}", Line::Typing.render(self.lang));
        }
        Ok(())
    }

    async fn bot_username(&self) -> Result<String, MessengerError> {
        Ok(crate::fake_telegram::BOT_USERNAME.to_owned())
    }
}

/// Update ids must not repeat across runs (handled ids are remembered for 25 h).
fn first_update_id(data_dir: &Path) -> u32 {
    let saved = std::fs::read_to_string(data_dir.join("console-update-id"))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let clock = u32::try_from(chrono::Utc::now().timestamp()).unwrap_or(u32::MAX / 2);
    saved.max(clock) + 1
}

/// Runs the console until end of input or `/quit`. Reminders are swept every
/// minute and on `/sweep`, and printed like any other message.
pub async fn run(
    local_for: impl FnOnce(Arc<dyn Messenger>) -> anyhow::Result<Local>,
    person: Person,
    data_dir: &Path,
    hooks: Option<tokio::net::TcpListener>,
) -> anyhow::Result<()> {
    let lang = person.lang();
    let messenger = ConsoleMessenger::new(lang);
    let Local { deps, sweep } = local_for(Arc::new(messenger.clone()))?;
    let secret = format!("console-{}", rand_suffix());
    let dispatcher = Dispatcher::new(deps);
    if let Some(listener) = hooks {
        // Workflow hooks on 127.0.0.1, for curl: the same routes as the API.
        let (dispatcher, secret) = (dispatcher.clone(), secret.clone().into());
        tokio::spawn(async move {
            let stop = std::future::pending::<()>();
            if let Err(e) = crate::serve::serve(listener, dispatcher, secret, Default::default(), stop).await
            {
                tracing::warn!(error = %e, "the hooks' listener stopped");
            }
        });
    }
    let app = routes(dispatcher, secret.clone().into());
    let mut update_id = first_update_id(data_dir);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "/quit" || line == "/exit" {
            break;
        }
        if line == "/sweep" {
            let report = sweep.run_due_now(linklet::app::SWEEP_BUDGET).await?;
            println!("      {}", Line::Sweep { due: report.due, sent: report.sent }.render(lang));
            continue;
        }
        let update = if let Some(place) = line.strip_prefix("/location") {
            let Some((latitude, longitude)) = coordinates(place) else {
                println!("      {}", Line::LocationUsage.render(lang));
                continue;
            };
            location_update(update_id, &person, latitude, longitude)
        } else if let Some(copied) = line.parse::<usize>().ok().and_then(|n| copy_text(&messenger, n)) {
            // A copy button copies, in Telegram; here its text is shown to copy by hand.
            println!("      {copied}");
            continue;
        } else {
            match line.parse::<usize>().ok().and_then(|n| tap(&messenger, n)) {
                Some((data, message_id)) => callback_update(update_id, &person, &data, message_id),
                None => message_update(update_id, &person, line),
            }
        };
        let request = Request::post("/telegram")
            .header(SECRET_HEADER, &secret)
            .header("content-type", "application/json")
            .body(Body::from(update.to_string()))?;
        let response = app.clone().oneshot(request).await?;
        if !response.status().is_success() {
            println!("      {}", Line::NotHandled { status: response.status().as_u16() }.render(lang));
        }
        std::fs::write(data_dir.join("console-update-id"), update_id.to_string())?;
        update_id += 1;
    }
    println!("{}", Line::Bye.render(lang));
    Ok(())
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The text of copy button `number`, if it is one.
fn copy_text(messenger: &ConsoleMessenger, number: usize) -> Option<String> {
    messenger.screen().buttons.get(number.checked_sub(1)?)?.copy.clone()
}

fn tap(messenger: &ConsoleMessenger, number: usize) -> Option<(String, i64)> {
    let screen = messenger.screen();
    let button = screen.buttons.get(number.checked_sub(1)?)?;
    println!("      {}", Line::Tapped { label: &button.label }.render(messenger.lang));
    Some((button.data.clone(), screen.buttons_message))
}

fn from(person: &Person) -> Value {
    json!({
        "id": person.id,
        "is_bot": false,
        "first_name": person.first_name,
        "language_code": person.language_code,
    })
}

fn private_chat(person: &Person) -> Value {
    json!({ "id": person.id, "type": "private", "first_name": person.first_name })
}

fn message_update(update_id: u32, person: &Person, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": chrono::Utc::now().timestamp(),
            "chat": private_chat(person),
            "from": from(person),
            "text": text,
        }
    })
}

/// `48.8566 2.3522` or `48.8566, 2.3522`: a latitude and a longitude.
fn coordinates(text: &str) -> Option<(f64, f64)> {
    let mut numbers = text.split([' ', ',']).filter(|part| !part.is_empty()).map(str::parse::<f64>);
    match (numbers.next(), numbers.next(), numbers.next()) {
        (Some(Ok(latitude)), Some(Ok(longitude)), None) => Some((latitude, longitude)),
        _ => None,
    }
}

/// A location shared from the 📎 menu, as Telegram sends it.
fn location_update(update_id: u32, person: &Person, latitude: f64, longitude: f64) -> Value {
    let mut update = message_update(update_id, person, "");
    let message = &mut update["message"];
    if let Some(fields) = message.as_object_mut() {
        fields.remove("text");
    }
    message["location"] = json!({ "latitude": latitude, "longitude": longitude });
    update
}

fn callback_update(update_id: u32, person: &Person, data: &str, message_id: i64) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("console-{update_id}"),
            "from": from(person),
            "chat_instance": "console",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": chrono::Utc::now().timestamp(),
                "chat": private_chat(person),
                "text": "…",
            }
        }
    })
}
