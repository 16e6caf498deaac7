//! The rules the bot enforces: tier limits, the rate limit, and who the admins are.

use super::{TelegramId, rate_limit::RateLimit, tier::TierLimits};

/// The rules the bot enforces, from configuration ([`crate::config::Config::policy`]).
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub limits: TierLimits,
    pub rate_limit: RateLimit,
    pub admins: Vec<TelegramId>,
}

impl Policy {
    pub fn is_admin(&self, id: TelegramId) -> bool {
        self.admins.contains(&id)
    }
}
