//! Use cases that run outside a chat update: the reminder sweep, queued jobs, the assistant.

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

pub use deps::Deps;
