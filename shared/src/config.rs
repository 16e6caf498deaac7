//! Configuration from environment variables (names as in the plan's `.env`).

use secrecy::SecretString;

use crate::domain::{
    TelegramId,
    policy::Policy,
    rate_limit::RateLimit,
    task::TaskLimits,
    tier::{Limits, TierLimits},
    workflow::WorkflowLimits,
};

pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_TABLE: &str = "linklet";
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com";
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com";
pub const DEFAULT_GEMINI_MODEL: &str = "gemini-2.0-flash";

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
    /// `LINKLET_KEY_SECRET_ARN`: the secret holding the vault's `ENCRYPTION_KEY`
    /// alone (on Lambda), kept apart so that no template edit regenerates it.
    pub key_secret_arn: Option<String>,
    /// `TELEGRAM_API_URL`, Telegram's by default (a fake server in tests).
    pub telegram_api_url: String,
    /// `TELEGRAM_BOT_USERNAME`; asked of Telegram (getMe) once when unset.
    pub bot_username: Option<String>,
    /// The HTTP API's base URL as callers reach it (hook URLs); learnt from
    /// Telegram's requests when unset.
    pub public_url: Option<String>,
    /// Hosts (`name` or `name:port`) the HTTP step may call over http and at private addresses.
    pub outbound_allowed_hosts: Vec<String>,
    /// The EventBridge bus run events go to; without one they go to the log.
    pub event_bus: Option<String>,
    /// `DYNAMODB_TABLE`.
    pub table: String,
    /// `LOG_LEVEL`: ERROR, WARN, INFO, DEBUG or TRACE.
    pub log_level: String,
    /// `FREE_MAX_PENDING_TASKS`, `FREE_MAX_RECURRING_TASKS`, `FREE_AI_QUESTIONS_PER_DAY`,
    /// and the same with `PRO_`.
    pub limits: TierLimits,
    /// `RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW` seconds, per user (30 per 60).
    pub rate_limit: RateLimit,
    /// `ADMIN_TELEGRAM_IDS`: comma- or space-separated Telegram ids.
    pub admins: Vec<TelegramId>,
    /// `ENCRYPTION_KEY` (locally; on Lambda it is in the secret): `id:base64,…`,
    /// the first the current key. See [`crate::vault::KeyRing::parse`].
    pub encryption_key: Option<SecretString>,
    pub ai: AiConfig,
    pub queues: QueueConfig,
    /// `BROADCAST_PER_SECOND`, `BROADCAST_PAGE`.
    pub broadcast: BroadcastSettings,
    /// `STATS_PER_JOB`: users one `/admin stats` job counts (10,000).
    pub stats_per_job: usize,
}

/// Which AI provider answers first (`AI_PROVIDER`); the other is the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiProviderName {
    OpenAi,
    Gemini,
}

/// The assistant's providers. Keys given here (locally) win over the secret's.
#[derive(Debug, Clone)]
pub struct AiConfig {
    /// `AI_PROVIDER`: `openai` (default) or `gemini`.
    pub primary: AiProviderName,
    /// `OPENAI_API_KEY`.
    pub openai_key: Option<SecretString>,
    /// `OPENAI_BASE_URL` (a fake server in tests), `OPENAI_MODEL`.
    pub openai_base_url: String,
    pub openai_model: String,
    /// `GOOGLE_AI_API_KEY`.
    pub gemini_key: Option<SecretString>,
    /// `GEMINI_BASE_URL`, `GEMINI_MODEL`.
    pub gemini_base_url: String,
    pub gemini_model: String,
    /// `AI_TIMEOUT_SECONDS` (default 30): one provider call's limit.
    pub timeout: std::time::Duration,
}

/// Where jobs are queued, and how their retries are spaced.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// `AI_JOBS_QUEUE_URL`: the SQS queue of assistant questions. Unset, jobs run
    /// in-process (the local runner).
    pub ai_url: Option<String>,
    /// `INTEGRATION_JOBS_QUEUE_URL`.
    pub integrations_url: Option<String>,
    /// `JOB_RETRY_BASE_SECONDS` (default 30): a failed job's first retry waits
    /// this long, each next one twice as long.
    pub retry_base: std::time::Duration,
    /// `JOB_MAX_RECEIVES` (default 5): the queue's maxReceiveCount; the last
    /// attempt tells the user when it fails.
    pub max_receives: u32,
}

impl Config {
    /// The rules the bot enforces: tier limits, the rate limit, the admins.
    pub fn policy(&self) -> Policy {
        Policy { limits: self.limits, rate_limit: self.rate_limit, admins: self.admins.clone() }
    }

    pub fn from_env() -> Config {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Config {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let number = |name: &str, default: u32| get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
        Config {
            bot_token: get("TELEGRAM_BOT_TOKEN").map(SecretString::from),
            webhook_secret: get("TELEGRAM_WEBHOOK_SECRET").map(SecretString::from),
            secret_arn: get("LINKLET_SECRET_ARN"),
            key_secret_arn: get("LINKLET_KEY_SECRET_ARN"),
            telegram_api_url: get("TELEGRAM_API_URL").unwrap_or_else(|| DEFAULT_TELEGRAM_API_URL.to_owned()),
            bot_username: get("TELEGRAM_BOT_USERNAME").map(|u| u.trim_start_matches('@').to_owned()),
            public_url: get("LINKLET_PUBLIC_URL"),
            event_bus: get("LINKLET_EVENT_BUS"),
            outbound_allowed_hosts: get("OUTBOUND_ALLOWED_HOSTS")
                .map(|hosts| hosts.split([',', ' ']).filter(|h| !h.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            table: get("DYNAMODB_TABLE").unwrap_or_else(|| DEFAULT_TABLE.to_owned()),
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "INFO".to_owned()),
            limits: {
                let defaults = TierLimits::default();
                let tier = |prefix: &str, default: Limits| Limits {
                    tasks: TaskLimits {
                        pending: number(&format!("{prefix}_MAX_PENDING_TASKS"), default.tasks.pending),
                        recurring: number(&format!("{prefix}_MAX_RECURRING_TASKS"), default.tasks.recurring),
                    },
                    ai_questions_per_day: number(
                        &format!("{prefix}_AI_QUESTIONS_PER_DAY"),
                        default.ai_questions_per_day,
                    ),
                    workflows: WorkflowLimits {
                        workflows: number(&format!("{prefix}_MAX_WORKFLOWS"), default.workflows.workflows),
                        steps: number(&format!("{prefix}_MAX_WORKFLOW_STEPS"), default.workflows.steps)
                            .max(1),
                        runs_per_day: number(
                            &format!("{prefix}_WORKFLOW_RUNS_PER_DAY"),
                            default.workflows.runs_per_day,
                        ),
                        schedule_floor_minutes: number(
                            &format!("{prefix}_SCHEDULE_FLOOR_MINUTES"),
                            default.workflows.schedule_floor_minutes,
                        )
                        .max(1),
                        hook_requests_per_minute: number(
                            &format!("{prefix}_HOOK_REQUESTS_PER_MINUTE"),
                            default.workflows.hook_requests_per_minute,
                        ),
                    },
                };
                TierLimits { free: tier("FREE", defaults.free), pro: tier("PRO", defaults.pro) }
            },
            rate_limit: RateLimit {
                requests: number("RATE_LIMIT_REQUESTS", RateLimit::default().requests),
                window_seconds: number("RATE_LIMIT_WINDOW", RateLimit::default().window_seconds).max(1),
            },
            admins: get("ADMIN_TELEGRAM_IDS")
                .map(|ids| {
                    ids.split([',', ' ']).filter_map(|id| id.trim().parse().ok()).map(TelegramId).collect()
                })
                .unwrap_or_default(),
            encryption_key: get("ENCRYPTION_KEY").map(SecretString::from),
            ai: AiConfig {
                primary: match get("AI_PROVIDER").map(|p| p.to_ascii_lowercase()).as_deref() {
                    Some("gemini" | "google") => AiProviderName::Gemini,
                    _ => AiProviderName::OpenAi,
                },
                openai_key: get("OPENAI_API_KEY").map(SecretString::from),
                openai_base_url: get("OPENAI_BASE_URL").unwrap_or_else(|| DEFAULT_OPENAI_BASE_URL.to_owned()),
                openai_model: get("OPENAI_MODEL").unwrap_or_else(|| DEFAULT_OPENAI_MODEL.to_owned()),
                gemini_key: get("GOOGLE_AI_API_KEY").map(SecretString::from),
                gemini_base_url: get("GEMINI_BASE_URL").unwrap_or_else(|| DEFAULT_GEMINI_BASE_URL.to_owned()),
                gemini_model: get("GEMINI_MODEL").unwrap_or_else(|| DEFAULT_GEMINI_MODEL.to_owned()),
                timeout: std::time::Duration::from_secs(number("AI_TIMEOUT_SECONDS", 30).max(1).into()),
            },
            broadcast: BroadcastSettings {
                per_second: number("BROADCAST_PER_SECOND", BroadcastSettings::default().per_second).max(1),
                page: number("BROADCAST_PAGE", BroadcastSettings::default().page as u32).max(1) as usize,
            },
            stats_per_job: number("STATS_PER_JOB", crate::domain::job::STATS_PER_JOB as u32).max(1) as usize,
            queues: QueueConfig {
                ai_url: get("AI_JOBS_QUEUE_URL"),
                integrations_url: get("INTEGRATION_JOBS_QUEUE_URL"),
                retry_base: std::time::Duration::from_secs(number("JOB_RETRY_BASE_SECONDS", 30).into()),
                max_receives: number("JOB_MAX_RECEIVES", 5).max(1),
            },
        }
    }
}

/// How a broadcast paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BroadcastSettings {
    /// `BROADCAST_PER_SECOND` (25): below Telegram's ~30 messages a second.
    pub per_second: u32,
    /// `BROADCAST_PAGE` (500): users per job, about 20 s at 25 a second.
    pub page: usize,
}

impl Default for BroadcastSettings {
    fn default() -> BroadcastSettings {
        BroadcastSettings { per_second: crate::domain::limits::MESSAGES_PER_SECOND, page: 500 }
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
    fn tier_limits_and_the_assistant_come_from_the_environment() {
        let c = Config::from_lookup(|_| None);
        assert_eq!(c.limits.free.ai_questions_per_day, 20);
        assert_eq!(c.limits.pro.ai_questions_per_day, 500);
        assert_eq!(c.ai.primary, AiProviderName::OpenAi);
        assert_eq!(c.queues.max_receives, 5);

        let c = Config::from_lookup(|name| match name {
            "FREE_AI_QUESTIONS_PER_DAY" => Some("3".into()),
            "PRO_MAX_PENDING_TASKS" => Some("7".into()),
            "AI_PROVIDER" => Some("Gemini".into()),
            "GOOGLE_AI_API_KEY" => Some("AIza-secret".into()),
            "JOB_RETRY_BASE_SECONDS" => Some("0".into()),
            _ => None,
        });
        assert_eq!(c.limits.free.ai_questions_per_day, 3);
        assert_eq!(c.limits.pro.tasks.pending, 7);
        assert_eq!(c.ai.primary, AiProviderName::Gemini);
        assert_eq!(c.queues.retry_base, std::time::Duration::ZERO);

        let c = Config::from_lookup(|name| match name {
            "ADMIN_TELEGRAM_IDS" => Some("42, 7 x".into()),
            "RATE_LIMIT_REQUESTS" => Some("5".into()),
            "RATE_LIMIT_WINDOW" => Some("10".into()),
            _ => None,
        });
        assert_eq!(c.admins, [TelegramId(42), TelegramId(7)]);
        assert_eq!((c.rate_limit.requests, c.rate_limit.window_seconds), (5, 10));
        assert!(!format!("{c:?}").contains("AIza-secret"));
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
