//! The bot: one dispatcher (idempotency) in front of one router (what each update does).

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
    domain::task::TierLimits,
    ports::{Clock, Messenger, Store},
};

/// What the bot's handlers use, built once per process and shared.
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub messenger: Arc<dyn Messenger>,
    pub clock: Arc<dyn Clock>,
    pub limits: TierLimits,
}
