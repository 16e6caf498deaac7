//! The messenger on Telegram's Bot API, through teloxide-core and one shared
//! HTTP client. Errors are sorted (throttled, unavailable, unreachable, refused)
//! and never carry the request URL, which holds the bot token.

use std::{error::Error as _, time::Duration};

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use teloxide_core::{
    ApiError, Bot, RequestError,
    payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters},
    prelude::Requester,
    types::{
        CallbackQueryId, ChatAction, ChatId as TgChatId, InlineKeyboardButton, InlineKeyboardMarkup,
        LinkPreviewOptions, MessageId, ParseMode, ThreadId,
    },
};
use tokio::sync::OnceCell;

use crate::ports::{ChatId, Keyboard, Messenger, MessengerError, OutMessage};
use crate::presentation::telegram_html::{MESSAGE_LIMIT, TOAST_LIMIT, split, truncate, truncate_plain};

/// How long one Bot API call may take before it counts as failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TelegramSetupError {
    #[error("TELEGRAM_API_URL is not a valid URL")]
    BadUrl,
    #[error("could not build the HTTP client: {0}")]
    Client(String),
}

/// The Telegram messenger. `Debug` shows the API URL, never the token.
#[derive(Clone)]
pub struct TelegramMessenger {
    bot: Bot,
    token: SecretString,
    username: std::sync::Arc<OnceCell<String>>,
}

impl std::fmt::Debug for TelegramMessenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramMessenger").field("api_url", &self.bot.api_url().as_str()).finish()
    }
}

impl TelegramMessenger {
    /// `timeout` bounds each call; long polling needs more than its poll timeout.
    pub fn new(
        token: &SecretString,
        api_url: &str,
        username: Option<String>,
        timeout: Duration,
    ) -> Result<TelegramMessenger, TelegramSetupError> {
        let url = reqwest::Url::parse(api_url).map_err(|_| TelegramSetupError::BadUrl)?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| TelegramSetupError::Client(e.to_string()))?;
        let bot = Bot::with_client(token.expose_secret(), client).set_api_url(url);
        let cell = match username {
            Some(name) => OnceCell::new_with(Some(name)),
            None => OnceCell::new(),
        };
        Ok(TelegramMessenger { bot, token: token.clone(), username: std::sync::Arc::new(cell) })
    }

    /// The teloxide client, for long polling and webhook management.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Sorts a teloxide error into a [`MessengerError`] without the token.
    pub fn classify(&self, error: RequestError) -> MessengerError {
        let redact = |text: String| text.replace(self.token.expose_secret(), "[redacted]");
        match error {
            RequestError::RetryAfter(seconds) => {
                metrics::counter!(crate::emf::names::TELEGRAM_THROTTLED).increment(1);
                MessengerError::Throttled(seconds.duration())
            }
            RequestError::Api(api) => match api {
                ApiError::BotBlocked
                | ApiError::UserDeactivated
                | ApiError::ChatNotFound
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::CantInitiateConversation
                | ApiError::CantTalkWithBots => MessengerError::Unreachable(redact(api.to_string())),
                ApiError::Unknown(text) if is_server_error(&text) => {
                    MessengerError::Unavailable(redact(text))
                }
                other => MessengerError::Refused(redact(other.to_string())),
            },
            RequestError::MigrateToChatId(chat) => {
                MessengerError::Refused(format!("group migrated to supergroup {}", chat.0))
            }
            RequestError::Network(e) => MessengerError::Unavailable(redact(network_story(&e))),
            RequestError::InvalidJson { .. } => {
                MessengerError::Unavailable("Telegram answered with unexpected JSON".into())
            }
            RequestError::Io(e) => MessengerError::Unavailable(redact(e.to_string())),
        }
    }
}

fn is_server_error(description: &str) -> bool {
    ["Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"]
        .iter()
        .any(|s| description.contains(s))
}

/// What went wrong on the network, without reqwest's top line (it quotes the URL).
fn network_story(e: &reqwest::Error) -> String {
    let mut story = String::from(if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "network error"
    });
    let mut source = e.source();
    while let Some(cause) = source {
        story.push_str(": ");
        story.push_str(&cause.to_string());
        source = cause.source();
    }
    story
}

fn markup(keyboard: &Keyboard) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(keyboard.iter().map(|row| {
        row.iter()
            .map(|b| match &b.copy {
                Some(text) => InlineKeyboardButton::copy_text_button(
                    b.label.clone(),
                    teloxide_core::types::CopyTextButton { text: text.clone() },
                ),
                None => InlineKeyboardButton::callback(b.label.clone(), b.data.clone()),
            })
            .collect::<Vec<_>>()
    }))
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

#[async_trait]
impl Messenger for TelegramMessenger {
    /// Sends the text in as many messages as Telegram's 4096-character limit
    /// needs; the buttons go under the last one.
    async fn send(&self, chat: ChatId, message: &OutMessage) -> Result<(), MessengerError> {
        self.post(chat, message).await.map(|_| ())
    }

    async fn post(&self, chat: ChatId, message: &OutMessage) -> Result<i32, MessengerError> {
        let parts = split(&message.html, MESSAGE_LIMIT);
        let mut id = 0;
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let mut request = self
                .bot
                .send_message(TgChatId(chat.0), part)
                .parse_mode(ParseMode::Html)
                .link_preview_options(no_preview());
            if i == last && !message.keyboard.is_empty() {
                request = request.reply_markup(markup(&message.keyboard));
            }
            if let Some(thread) = message.thread {
                request = request.message_thread_id(ThreadId(MessageId(thread)));
            }
            id = request.await.map_err(|e| self.classify(e))?.id.0;
        }
        Ok(id)
    }

    async fn edit(&self, chat: ChatId, message_id: i32, message: &OutMessage) -> Result<(), MessengerError> {
        let result = self
            .bot
            .edit_message_text(
                TgChatId(chat.0),
                MessageId(message_id),
                truncate(&message.html, MESSAGE_LIMIT),
            )
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview())
            .reply_markup(markup(&message.keyboard))
            .await;
        match result {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            Err(e) => Err(self.classify(e)),
        }
    }

    async fn answer_callback(&self, id: &str, toast: Option<&str>) -> Result<(), MessengerError> {
        let mut request = self.bot.answer_callback_query(CallbackQueryId(id.to_owned()));
        if let Some(text) = toast {
            request = request.text(truncate_plain(text, TOAST_LIMIT));
        }
        request.await.map(drop).map_err(|e| self.classify(e))
    }

    async fn delete(&self, chat: ChatId, message_id: i32) -> Result<(), MessengerError> {
        let request = self.bot.delete_message(TgChatId(chat.0), MessageId(message_id));
        request.await.map(drop).map_err(|e| self.classify(e))
    }

    async fn typing(&self, chat: ChatId) -> Result<(), MessengerError> {
        let request = self.bot.send_chat_action(TgChatId(chat.0), ChatAction::Typing);
        request.await.map(drop).map_err(|e| self.classify(e))
    }

    async fn bot_username(&self) -> Result<String, MessengerError> {
        self.username
            .get_or_try_init(|| async {
                let me = self.bot.get_me().await.map_err(|e| self.classify(e))?;
                Ok(me.username().to_owned())
            })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "987654:SECRET-never-shown";

    /// Nothing listens on port 9 of loopback: calls fail to connect.
    fn unreachable_telegram() -> TelegramMessenger {
        TelegramMessenger::new(&TOKEN.to_owned().into(), "http://127.0.0.1:9", None, Duration::from_secs(2))
            .unwrap()
    }

    #[tokio::test]
    async fn network_errors_and_debug_output_never_show_the_token() {
        let telegram = unreachable_telegram();
        let error = telegram.send(ChatId(1), &OutMessage::text("hi")).await.unwrap_err();

        assert!(error.is_transient(), "{error:?}");
        for shown in [error.to_string(), format!("{error:?}"), format!("{telegram:?}")] {
            assert!(!shown.contains("SECRET-never-shown"), "{shown}");
        }
    }

    #[test]
    fn telegram_errors_are_sorted_by_what_a_retry_can_do() {
        let telegram = unreachable_telegram();
        let retry_after = teloxide_core::types::Seconds::from_seconds(3);
        assert!(matches!(
            telegram.classify(RequestError::RetryAfter(retry_after)),
            MessengerError::Throttled(d) if d == Duration::from_secs(3)
        ));
        assert!(matches!(
            telegram.classify(RequestError::Api(ApiError::BotBlocked)),
            MessengerError::Unreachable(_)
        ));
        assert!(matches!(
            telegram.classify(RequestError::Api(ApiError::Unknown("Internal Server Error".into()))),
            MessengerError::Unavailable(_)
        ));
        assert!(matches!(
            telegram.classify(RequestError::Api(ApiError::MessageTextIsEmpty)),
            MessengerError::Refused(_)
        ));
    }
}
