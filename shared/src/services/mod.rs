//! Use cases that run outside a chat update: the reminder sweep.

pub mod assistant;
pub mod reminders;
pub mod tasks;
