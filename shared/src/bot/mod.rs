//! The bot: one dispatcher (idempotency) in front of one router (what each update does).

mod assistant;
mod basic;
mod command;
mod dispatcher;
mod error;
mod router;
mod settings;
mod tasks;

use std::sync::Arc;

pub use command::Command;
pub use dispatcher::{Dispatched, Dispatcher};
pub use error::HandleError;
pub use router::Router;

use crate::{
    domain::tier::TierLimits,
    ports::{Clock, JobQueue, Messenger, Store},
};

/// What the bot's handlers use, built once per process and shared.
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub messenger: Arc<dyn Messenger>,
    pub clock: Arc<dyn Clock>,
    pub limits: TierLimits,
    /// Where slow work (AI answers, integration calls) is left for the jobs function.
    pub queue: Arc<dyn JobQueue>,
    /// Whether an AI provider is configured; without one `/ask` says so at once.
    pub assistant_on: bool,
}
