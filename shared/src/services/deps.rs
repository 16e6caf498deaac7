//! What the use cases and the bot's handlers use, built once per process.

use std::sync::Arc;

use crate::{
    domain::policy::Policy,
    ports::{
        Clock, JobQueue, Messenger, Store, SystemClock,
        events::{Events, LogEvents},
    },
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
    /// Where the HTTP API is reached from outside: the base of hook URLs.
    pub public_url: PublicUrl,
    /// Where run events go: the stack's event bus, or the log.
    pub events: Arc<dyn Events>,
}

/// The base URL of Linklet's HTTP API as its callers see it
/// (`https://abc.execute-api.eu-west-3.amazonaws.com`): configured, or
/// learnt from the first request Telegram sends to `/telegram`.
#[derive(Clone, Default)]
pub struct PublicUrl(Arc<std::sync::RwLock<Option<String>>>);

impl PublicUrl {
    pub fn fixed(url: &str) -> PublicUrl {
        PublicUrl(Arc::new(std::sync::RwLock::new(Some(url.trim_end_matches('/').to_owned()))))
    }

    pub fn get(&self) -> Option<String> {
        self.0.read().map(|url| url.clone()).unwrap_or(None)
    }

    /// Takes `scheme://host` from a request, unless a URL is known already.
    pub fn learn(&self, scheme: &str, host: &str) {
        let valid =
            !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
        if !valid || self.get().is_some() {
            return;
        }
        if let Ok(mut url) = self.0.write() {
            *url = Some(format!("{scheme}://{host}"));
        }
    }
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
            public_url: PublicUrl::default(),
            events: Arc::new(LogEvents),
        }
    }
}
