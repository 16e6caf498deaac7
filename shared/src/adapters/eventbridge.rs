//! Events on Amazon EventBridge: `PutEvents` on the stack's bus, ten entries
//! a call (the API's limit); an entry the bus refused is an error.

use async_trait::async_trait;
use aws_sdk_eventbridge::{Client, error::DisplayErrorContext, types::PutEventsRequestEntry};

use crate::ports::events::{EVENT_SOURCE, Event, Events, EventsError};

/// Entries one `PutEvents` call takes.
const ENTRIES_PER_CALL: usize = 10;

#[derive(Debug, Clone)]
pub struct EventBridgeEvents {
    client: Client,
    bus: String,
}

impl EventBridgeEvents {
    pub fn new(client: Client, bus: impl Into<String>) -> EventBridgeEvents {
        EventBridgeEvents { client, bus: bus.into() }
    }
}

#[async_trait]
impl Events for EventBridgeEvents {
    async fn publish(&self, events: &[Event]) -> Result<(), EventsError> {
        for batch in events.chunks(ENTRIES_PER_CALL) {
            let entries = batch
                .iter()
                .map(|event| {
                    PutEventsRequestEntry::builder()
                        .event_bus_name(&self.bus)
                        .source(EVENT_SOURCE)
                        .detail_type(event.detail_type)
                        .detail(event.detail.to_string())
                        .build()
                })
                .collect();
            let output = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| EventsError(DisplayErrorContext(&e).to_string()))?;
            if output.failed_entry_count() > 0 {
                return Err(EventsError(format!(
                    "{} entries refused by the bus",
                    output.failed_entry_count()
                )));
            }
        }
        Ok(())
    }
}
