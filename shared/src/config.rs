//! Configuration from environment variables (names as in the plan's `.env`).

use secrecy::SecretString;

use crate::domain::task::{TaskLimits, TierLimits};

pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_TABLE: &str = "linklet";

/// Settings shared by every entry point. Secrets are resolved separately
/// ([`crate::adapters::secrets`]) because on Lambda they live in Secrets Manager.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TELEGRAM_BOT_TOKEN`, when given directly (locally).
    pub bot_token: Option<SecretString>,
    /// `TELEGRAM_WEBHOOK_SECRET`, when given directly (locally).
    pub webhook_secret: Option<SecretString>,
    /// `LINKLET_SECRET_ARN`: the Secrets Manager secret holding both (on Lambda).
    pub secret_arn: Option<String>,
    /// `TELEGRAM_API_URL`, Telegram's by default (a fake server in tests).
    pub telegram_api_url: String,
    /// `TELEGRAM_BOT_USERNAME`; asked of Telegram (getMe) once when unset.
    pub bot_username: Option<String>,
    /// `DYNAMODB_TABLE`.
    pub table: String,
    /// `LOG_LEVEL`: ERROR, WARN, INFO, DEBUG or TRACE.
    pub log_level: String,
    /// `FREE_MAX_PENDING_TASKS`, `FREE_MAX_RECURRING_TASKS`, `PRO_MAX_PENDING_TASKS`,
    /// `PRO_MAX_RECURRING_TASKS`.
    pub limits: TierLimits,
}

impl Config {
    pub fn from_env() -> Config {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Config {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        Config {
            bot_token: get("TELEGRAM_BOT_TOKEN").map(SecretString::from),
            webhook_secret: get("TELEGRAM_WEBHOOK_SECRET").map(SecretString::from),
            secret_arn: get("LINKLET_SECRET_ARN"),
            telegram_api_url: get("TELEGRAM_API_URL").unwrap_or_else(|| DEFAULT_TELEGRAM_API_URL.to_owned()),
            bot_username: get("TELEGRAM_BOT_USERNAME").map(|u| u.trim_start_matches('@').to_owned()),
            table: get("DYNAMODB_TABLE").unwrap_or_else(|| DEFAULT_TABLE.to_owned()),
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "INFO".to_owned()),
            limits: {
                let defaults = TierLimits::default();
                let number =
                    |name: &str, default: u32| get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
                TierLimits {
                    free: TaskLimits {
                        pending: number("FREE_MAX_PENDING_TASKS", defaults.free.pending),
                        recurring: number("FREE_MAX_RECURRING_TASKS", defaults.free.recurring),
                    },
                    pro: TaskLimits {
                        pending: number("PRO_MAX_PENDING_TASKS", defaults.pro.pending),
                        recurring: number("PRO_MAX_RECURRING_TASKS", defaults.pro.recurring),
                    },
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::from_lookup(|_| None);
        assert_eq!(c.telegram_api_url, DEFAULT_TELEGRAM_API_URL);
        assert_eq!(c.table, "linklet");
        assert_eq!(c.log_level, "INFO");
        assert!(c.bot_token.is_none());

        let c = Config::from_lookup(|name| match name {
            "TELEGRAM_BOT_TOKEN" => Some("123:abc".into()),
            "TELEGRAM_BOT_USERNAME" => Some("@LinkletBot".into()),
            "DYNAMODB_TABLE" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(c.bot_token.as_ref().map(|t| t.expose_secret().to_owned()), Some("123:abc".into()));
        assert_eq!(c.bot_username.as_deref(), Some("LinkletBot"));
        assert_eq!(c.table, "linklet");
    }

    #[test]
    fn debug_output_hides_the_secrets() {
        let c = Config::from_lookup(|name| match name {
            "TELEGRAM_BOT_TOKEN" => Some("123456:SECRET-TOKEN".into()),
            "TELEGRAM_WEBHOOK_SECRET" => Some("hook-secret-value".into()),
            _ => None,
        });
        let debug = format!("{c:?}");
        assert!(!debug.contains("SECRET-TOKEN") && !debug.contains("hook-secret-value"), "{debug}");
    }
}
