//! The use cases, behind the ports: tasks (shared by the commands, the buttons
//! and the assistant), the reminder sweep, queued jobs and their runner, the
//! assistant, admin stats and broadcasts, credentials; `once`, the one
//! idempotency primitive; `Deps`, what they are given.

pub mod admin;
pub mod assistant;
pub mod broadcast;
pub mod credentials;
mod deps;
pub mod jobs;
pub mod once;
pub mod outbox;
pub mod reminders;
pub mod tasks;
pub mod workflows;

pub use deps::{Deps, PublicUrl};
