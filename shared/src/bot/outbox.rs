//! The outgoing calls of one update. Each is made at once; once Telegram
//! fails for a moment (5xx, 429, a timeout), that call and every later one are
//! held, in order, so the update's work is never redone: the dispatcher parks
//! them on the update's claim and the redelivery sends them.
//!
//! Buttons sent into a group carry the id of the user they were made for
//! (`<data>~<id>`), so that only that user can press them.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

use crate::domain::TelegramId;
use crate::ports::{ChatId, Messenger, MessengerError, OutMessage};

/// One call to Telegram that changes what a chat shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum OutCall {
    Send { chat: i64, message: OutMessage },
    Edit { chat: i64, message_id: i32, message: OutMessage },
    Answer { id: String, toast: Option<String> },
    Delete { chat: i64, message_id: i32 },
}

impl OutCall {
    async fn perform(&self, messenger: &dyn Messenger) -> Result<(), MessengerError> {
        match self {
            OutCall::Send { chat, message } => messenger.send(ChatId(*chat), message).await,
            OutCall::Edit { chat, message_id, message } => {
                messenger.edit(ChatId(*chat), *message_id, message).await
            }
            OutCall::Answer { id, toast } => messenger.answer_callback(id, toast.as_deref()).await,
            OutCall::Delete { chat, message_id } => messenger.delete(ChatId(*chat), *message_id).await,
        }
    }
}

/// The messenger one update's handlers talk to.
pub struct Outbox {
    inner: Arc<dyn Messenger>,
    /// Whose buttons these are: the update's sender.
    owner: Option<TelegramId>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    held: Vec<OutCall>,
    /// A call reached Telegram or was held: the update is past the point
    /// where running it again from the start would be safe.
    acted: bool,
}

impl Outbox {
    pub fn new(inner: Arc<dyn Messenger>, owner: Option<TelegramId>) -> Outbox {
        Outbox { inner, owner, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The calls held for the redelivery, in order.
    pub fn held(&self) -> Vec<OutCall> {
        self.state().held.clone()
    }

    /// Whether anything was sent or held.
    pub fn acted(&self) -> bool {
        self.state().acted
    }

    async fn call(&self, call: OutCall) -> Result<(), MessengerError> {
        {
            let mut state = self.state();
            state.acted = true;
            if !state.held.is_empty() {
                state.held.push(call);
                return Ok(());
            }
        }
        match call.perform(self.inner.as_ref()).await {
            Err(e) if e.is_transient() => {
                warn!(error = %e, "Telegram failed for now; this reply and the next are held for the redelivery");
                self.state().held.push(call);
                Ok(())
            }
            other => other,
        }
    }

    /// Marks the buttons of a message sent into a group with their owner.
    fn stamped(&self, chat: ChatId, message: &OutMessage) -> OutMessage {
        let mut message = message.clone();
        if let Some(owner) = self.owner.filter(|owner| owner.0 != chat.0) {
            for button in message.keyboard.iter_mut().flatten().filter(|b| b.copy.is_none()) {
                button.data = stamp(&button.data, owner);
            }
        }
        message
    }
}

/// Sends `calls` in order; the ones left when Telegram fails for a moment are
/// returned with that error. A call Telegram refuses for good is logged and skipped.
pub async fn deliver(
    messenger: &dyn Messenger,
    calls: Vec<OutCall>,
) -> Result<(), (Vec<OutCall>, MessengerError)> {
    let mut calls = calls.into_iter();
    while let Some(call) = calls.next() {
        match call.perform(messenger).await {
            Ok(()) => {}
            Err(e) if e.is_transient() => {
                let mut left = vec![call];
                left.extend(calls);
                return Err((left, e));
            }
            Err(e) => warn!(error = %e, "a held reply was refused; skipped"),
        }
    }
    Ok(())
}

#[async_trait]
impl Messenger for Outbox {
    async fn send(&self, chat: ChatId, message: &OutMessage) -> Result<(), MessengerError> {
        self.call(OutCall::Send { chat: chat.0, message: self.stamped(chat, message) }).await
    }

    async fn post(&self, chat: ChatId, message: &OutMessage) -> Result<i32, MessengerError> {
        self.inner.post(chat, &self.stamped(chat, message)).await
    }

    async fn edit(&self, chat: ChatId, message_id: i32, message: &OutMessage) -> Result<(), MessengerError> {
        self.call(OutCall::Edit { chat: chat.0, message_id, message: self.stamped(chat, message) }).await
    }

    async fn answer_callback(&self, id: &str, toast: Option<&str>) -> Result<(), MessengerError> {
        self.call(OutCall::Answer { id: id.to_owned(), toast: toast.map(str::to_owned) }).await
    }

    async fn delete(&self, chat: ChatId, message_id: i32) -> Result<(), MessengerError> {
        self.call(OutCall::Delete { chat: chat.0, message_id }).await
    }

    async fn typing(&self, chat: ChatId) -> Result<(), MessengerError> {
        // Only a hint: not worth a redelivery.
        match self.inner.typing(chat).await {
            Err(e) if e.is_transient() => {
                debug!(error = %e, "typing indicator not shown");
                Ok(())
            }
            other => other,
        }
    }

    async fn bot_username(&self) -> Result<String, MessengerError> {
        self.inner.bot_username().await
    }
}

const OWNER_MARK: char = '~';

/// `data` for `owner` only.
pub fn stamp(data: &str, owner: TelegramId) -> String {
    format!("{data}{OWNER_MARK}{}", owner.0)
}

/// The callback data without its owner, and the owner if it has one.
pub fn unstamp(data: &str) -> (&str, Option<TelegramId>) {
    match data.rsplit_once(OWNER_MARK) {
        Some((data, owner)) => match owner.parse() {
            Ok(owner) => (data, Some(TelegramId(owner))),
            Err(_) => (data, None),
        },
        None => (data, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamped_data_gives_back_its_owner_and_fits_telegram() {
        let owner = TelegramId(-1_001_234_567_890_123);
        let data = "s:tz:America/Argentina/ComodRivadavia";
        let stamped = stamp(data, owner);
        assert!(stamped.len() <= 64, "{stamped}");
        assert_eq!(unstamp(&stamped), (data, Some(owner)));
        assert_eq!(unstamp("t:d:3:1"), ("t:d:3:1", None));
    }
}
