//! What the use cases and the bot's handlers use, built once per process.

use std::sync::Arc;

use crate::{
    domain::policy::Policy,
    ports::{Clock, JobQueue, Messenger, Store, SystemClock},
    vault::KeyRing,
};

/// What the bot's handlers and the services use, built once per process and shared.
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub messenger: Arc<dyn Messenger>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Where slow work (AI answers, integration calls) is left for the jobs function.
    pub queue: Arc<dyn JobQueue>,
    /// Whether an AI provider is configured; without one `/ask` says so at once.
    pub assistant_on: bool,
    /// Seals integration credentials; `None` without an encryption key (`/connect` says so).
    pub vault: Option<Arc<KeyRing>>,
}

impl Deps {
    /// The usual wiring: the system clock, and no assistant and no vault
    /// until they are set (`Deps { vault, ..Deps::new(…) }`).
    pub fn new(
        store: Arc<dyn Store>,
        messenger: Arc<dyn Messenger>,
        queue: Arc<dyn JobQueue>,
        policy: Policy,
    ) -> Deps {
        Deps {
            store,
            messenger,
            clock: Arc::new(SystemClock),
            policy,
            queue,
            assistant_on: false,
            vault: None,
        }
    }
}
