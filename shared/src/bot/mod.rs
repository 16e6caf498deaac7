//! The bot: one dispatcher (idempotency) in front of one router (what each update does).

mod admin;
mod assistant;
mod basic;
mod builder;
mod command;
mod connect;
mod ctx;
mod dispatcher;
mod error;
mod outbox;
mod router;
mod settings;
mod tasks;
mod workflows;

pub use command::Command;
pub use dispatcher::{Dispatched, Dispatcher};
pub use error::HandleError;
pub use router::Router;
