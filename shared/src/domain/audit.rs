//! The admins' audit log: who did what, to whom, when.

use chrono::{DateTime, Utc};

use super::TelegramId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub admin: TelegramId,
    /// `stats`, `user`, `ban`, `unban`, `tier`, `broadcast`, `audit`.
    pub action: String,
    pub target: Option<TelegramId>,
    /// What else the action said (the new tier, the broadcast's size); never a secret.
    pub detail: String,
}
