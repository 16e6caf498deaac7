//! Domain types and rules: users, languages, time zones and finding one,
//! tiers and the policy, tasks, their times (`when`) and recurrence, jobs,
//! connections, workflows and their runs, the audit log, Telegram's limits. No I/O here.

pub mod assistant;
pub mod audit;
pub mod integration;
pub mod job;
mod language;
pub mod limits;
pub mod policy;
pub mod rate_limit;
pub mod recurrence;
pub mod task;
pub mod text;
pub mod tier;
mod timezone;
mod user;
pub mod when;
pub mod workflow;
pub mod zone_search;

pub use language::Language;
pub use timezone::{InvalidTimeZone, TimeZone};
pub use user::{Awaiting, ChatId, SeenUser, TelegramId, Tier, UpdateId, User, UserPatch};
