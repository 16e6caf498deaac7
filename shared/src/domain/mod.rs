//! Domain types and rules: users, languages, time zones, tiers. No I/O here.

pub mod assistant;
mod language;
pub mod recurrence;
pub mod task;
mod timezone;
mod user;
pub mod when;

pub use language::Language;
pub use timezone::{InvalidTimeZone, TimeZone};
pub use user::{Awaiting, SeenUser, TelegramId, Tier, UpdateId, User, UserPatch};
