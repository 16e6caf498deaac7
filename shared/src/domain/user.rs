//! A Linklet user: who they are on Telegram and what they chose in /settings.

use chrono::{DateTime, Utc};

use super::{Language, TimeZone, integration::Service, task::TaskNumber, workflow::TriggerRef};

/// A Telegram user id (also the id of the user's private chat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TelegramId(pub i64);

/// A chat id (a user's private chat has the user's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ChatId(pub i64);

/// A Telegram update id, the key of webhook idempotency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UpdateId(pub u32);

/// Subscription tier; limits per tier arrive with the features that use them.
/// On the wire (job payloads) as its code, `free` or `pro`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    #[default]
    Free,
    Pro,
}

impl Tier {
    pub fn code(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Pro => "pro",
        }
    }

    pub fn from_code(code: &str) -> Option<Tier> {
        match code {
            "free" => Some(Tier::Free),
            "pro" => Some(Tier::Pro),
            _ => None,
        }
    }
}

/// What the bot waits for in the user's next plain message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    TimeZone,
    /// A new due time for this task.
    TaskTime(TaskNumber),
    /// A token to paste for this service (`/connect`).
    Token(Service),
    /// An answer to the workflow builder (`/newworkflow`).
    Builder,
}

impl Awaiting {
    pub fn code(self) -> String {
        match self {
            Awaiting::TimeZone => "timezone".to_owned(),
            Awaiting::TaskTime(number) => format!("task_time:{}", number.0),
            Awaiting::Token(service) => format!("token:{}", service.code()),
            Awaiting::Builder => "workflow_builder".to_owned(),
        }
    }

    pub fn from_code(code: &str) -> Option<Awaiting> {
        match code.split_once(':') {
            None if code == "timezone" => Some(Awaiting::TimeZone),
            None if code == "workflow_builder" => Some(Awaiting::Builder),
            Some(("task_time", n)) => n.parse().ok().map(|n| Awaiting::TaskTime(TaskNumber(n))),
            Some(("token", service)) => Service::from_code(service).map(Awaiting::Token),
            _ => None,
        }
    }
}

/// The user as Telegram shows them on an update; refreshed on every update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenUser {
    pub id: TelegramId,
    pub username: Option<String>,
    pub first_name: String,
    pub language_code: Option<String>,
}

/// A registered user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: TelegramId,
    pub username: Option<String>,
    pub first_name: String,
    pub language_code: Option<String>,
    /// The language picked in /settings, if any.
    pub language: Option<Language>,
    pub timezone: Option<TimeZone>,
    pub tier: Tier,
    pub awaiting: Option<Awaiting>,
    /// Set when Telegram said the user blocked the bot; cleared when they write again.
    pub blocked_at: Option<DateTime<Utc>>,
    /// Set by an admin (`/admin ban`): the bot ignores the user entirely.
    pub banned_at: Option<DateTime<Utc>>,
    /// The command and keyword triggers of the user's active workflows,
    /// matched on every update without another read.
    pub workflow_triggers: Vec<TriggerRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The language to answer in: the one picked in /settings, else Telegram's.
    pub fn lang(&self) -> Language {
        self.language.unwrap_or_else(|| Language::from_telegram(self.language_code.as_deref()))
    }

    /// The user's time zone, UTC until they pick one.
    pub fn tz(&self) -> TimeZone {
        self.timezone.unwrap_or(TimeZone::UTC)
    }
}

/// A change to a user's settings; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub language: Option<Language>,
    pub timezone: Option<TimeZone>,
    /// `Some(None)` clears what the bot was waiting for.
    pub awaiting: Option<Option<Awaiting>>,
    /// An admin's change of subscription tier.
    pub tier: Option<Tier>,
    /// An admin's ban (`true`, from `now`) or unban.
    pub banned: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(language_code: Option<&str>, language: Option<Language>) -> User {
        User {
            id: TelegramId(1),
            username: None,
            first_name: "Ada".into(),
            language_code: language_code.map(str::to_owned),
            language,
            timezone: None,
            tier: Tier::Free,
            awaiting: None,
            blocked_at: None,
            banned_at: None,
            workflow_triggers: Vec::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn language_follows_telegram_until_chosen() {
        assert_eq!(user(Some("fr-FR"), None).lang(), Language::Fr);
        assert_eq!(user(Some("fr-FR"), Some(Language::En)).lang(), Language::En);
        assert_eq!(user(None, None).lang(), Language::En);
    }

    #[test]
    fn time_zone_defaults_to_utc() {
        assert_eq!(user(None, None).tz(), TimeZone::UTC);
    }
}
