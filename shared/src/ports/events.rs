//! The events port: what Linklet tells the operator's event bus (each
//! workflow run's start and end), for routing elsewhere (an archive,
//! analytics, another AWS service). Publishing never blocks or fails a run.

use async_trait::async_trait;
use serde_json::Value;

/// Events' `source` on the bus.
pub const EVENT_SOURCE: &str = "linklet";

/// One event: its `detail-type` and its detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub detail_type: &'static str,
    pub detail: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("events not published: {0}")]
pub struct EventsError(pub String);

#[async_trait]
pub trait Events: Send + Sync {
    /// Publishes `events` (in batches the bus accepts).
    async fn publish(&self, events: &[Event]) -> Result<(), EventsError>;
}

/// Where events go without a bus (the local runner): the log.
pub struct LogEvents;

#[async_trait]
impl Events for LogEvents {
    async fn publish(&self, events: &[Event]) -> Result<(), EventsError> {
        for event in events {
            tracing::info!(detail_type = event.detail_type, detail = %event.detail, "event");
        }
        Ok(())
    }
}
