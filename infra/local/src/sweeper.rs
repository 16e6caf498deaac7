//! The reminder sweep locally: every minute in the background, like the
//! EventBridge schedule, and on demand (`/sweep` in the console).

use std::{sync::Arc, time::Duration};

use linklet::{
    app::SWEEP_BUDGET,
    services::Deps,
    services::reminders::{ReminderSweep, SweepSettings},
};
use tracing::warn;

/// The sweep on the runner's own store and messenger.
pub fn sweep(deps: Deps) -> Arc<ReminderSweep> {
    Arc::new(ReminderSweep::new(deps, SweepSettings::default()))
}

/// Starts `sweep` every minute until the process ends, as the schedule does:
/// each reads the minute ahead and waits for it, so one may still be sending
/// when the next starts (the lease sends each occurrence once).
pub fn every_minute(sweep: Arc<ReminderSweep>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            let sweep = Arc::clone(&sweep);
            tokio::spawn(async move {
                if let Err(e) = sweep.run(SWEEP_BUDGET).await {
                    warn!(error = %e, "reminder sweep failed; the next one retries");
                }
            });
        }
    });
}
