//! The messenger port: how the bot talks back to a chat.

use std::time::Duration;

use async_trait::async_trait;

pub use crate::domain::ChatId;

/// An inline button; `data` is the callback data (at most 64 bytes), or,
/// for a copy button, `copy` is the text it copies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Button {
    pub label: String,
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

impl Button {
    pub fn new(label: impl Into<String>, data: impl Into<String>) -> Button {
        let data = data.into();
        debug_assert!(
            data.len() <= crate::domain::limits::CALLBACK_BYTES,
            "callback_data over 64 bytes: {data}"
        );
        Button { label: label.into(), data, copy: None }
    }

    /// A button that copies `text` (at most 256 characters) to the clipboard.
    pub fn copy(label: impl Into<String>, text: impl Into<String>) -> Button {
        Button { label: label.into(), data: String::new(), copy: Some(text.into()) }
    }
}

/// Rows of inline buttons.
pub type Keyboard = Vec<Vec<Button>>;

/// A message to show: HTML-formatted text (Telegram's HTML parse mode) and
/// buttons, in a forum topic when `thread` is set.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct OutMessage {
    pub html: String,
    pub keyboard: Keyboard,
    /// The forum topic (`message_thread_id`) of the message it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<i32>,
}

impl OutMessage {
    pub fn text(html: impl Into<String>) -> OutMessage {
        OutMessage { html: html.into(), keyboard: Vec::new(), thread: None }
    }

    /// Sent in forum topic `thread` (none: the chat itself, or its General topic).
    pub fn in_thread(mut self, thread: Option<i32>) -> OutMessage {
        self.thread = thread;
        self
    }

    pub fn with_keyboard(mut self, keyboard: Keyboard) -> OutMessage {
        self.keyboard = keyboard;
        self
    }
}

/// A failure to deliver, sorted by what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum MessengerError {
    /// Telegram asked us to wait (429).
    #[error("throttled by Telegram, retry after {0:?}")]
    Throttled(Duration),
    /// Network trouble or a Telegram server error: retrying may work.
    #[error("Telegram unavailable: {0}")]
    Unavailable(String),
    /// The user blocked the bot or the chat is gone (403).
    #[error("chat unreachable: {0}")]
    Unreachable(String),
    /// Telegram refused the request (400): retrying will not help.
    #[error("Telegram refused the request: {0}")]
    Refused(String),
}

impl MessengerError {
    pub fn is_transient(&self) -> bool {
        matches!(self, MessengerError::Throttled(_) | MessengerError::Unavailable(_))
    }
}

#[async_trait]
pub trait Messenger: Send + Sync {
    async fn send(&self, chat: ChatId, message: &OutMessage) -> Result<(), MessengerError>;

    /// Sends at once (never held for a redelivery) and gives the message's
    /// id (a long text's last part), for a message edited later: a run card.
    async fn post(&self, chat: ChatId, message: &OutMessage) -> Result<i32, MessengerError>;

    /// Replaces the text and buttons of a message the bot sent.
    async fn edit(&self, chat: ChatId, message_id: i32, message: &OutMessage) -> Result<(), MessengerError>;

    /// Answers a callback query (stops the button's spinner), optionally with a toast.
    async fn answer_callback(&self, id: &str, toast: Option<&str>) -> Result<(), MessengerError>;

    /// Deletes a message from the chat (a pasted token, right after it is read).
    async fn delete(&self, chat: ChatId, message_id: i32) -> Result<(), MessengerError>;

    /// Shows "typing…" in the chat for about five seconds, or until the next message.
    async fn typing(&self, chat: ChatId) -> Result<(), MessengerError>;

    /// The bot's @username, used to tell `/cmd@ThisBot` from `/cmd@OtherBot`.
    async fn bot_username(&self) -> Result<String, MessengerError>;
}
