//! The bot: one dispatcher (idempotency) in front of one router (what each update does).

mod admin;
mod assistant;
mod basic;
mod command;
mod connect;
mod dispatcher;
mod error;
mod outbox;
mod router;
mod settings;
mod tasks;

use std::sync::Arc;

pub use command::Command;
pub use dispatcher::{Dispatched, Dispatcher};
pub use error::HandleError;
pub use router::Router;

use crate::{
    config::Config,
    domain::{TelegramId, rate_limit::RateLimit, tier::TierLimits},
    ports::{Clock, JobQueue, Messenger, Store},
    vault::KeyRing,
};

/// The rules the bot enforces, from configuration: tier limits, the rate
/// limit, and who the admins are.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub limits: TierLimits,
    pub rate_limit: RateLimit,
    pub admins: Vec<TelegramId>,
}

impl Policy {
    pub fn from_config(config: &Config) -> Policy {
        Policy { limits: config.limits, rate_limit: config.rate_limit, admins: config.admins.clone() }
    }

    pub fn is_admin(&self, id: TelegramId) -> bool {
        self.admins.contains(&id)
    }
}

/// What the bot's handlers use, built once per process and shared.
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub messenger: Arc<dyn Messenger>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Where slow work (AI answers, integration calls) is left for the jobs function.
    pub queue: Arc<dyn JobQueue>,
    /// Whether an AI provider is configured; without one `/ask` says so at once.
    pub assistant_on: bool,
    /// Seals integration credentials; `None` without an encryption key (`/connect` says so).
    pub vault: Option<Arc<KeyRing>>,
}
