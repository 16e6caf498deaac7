//! The reminder function's handler: an EventBridge scheduled event in, the
//! sweep's report out (logged, counted and returned).

use std::time::Duration;

use tracing::Instrument;

use crate::{
    emf::{self, names},
    ports::StoreError,
    services::reminders::{ReminderSweep, SweepReport},
    telemetry::invocation_span,
};

/// How long one scheduled sweep may wait and send: the minute it reads ahead,
/// then time to send what came due last, within the function's timeout (90 s).
pub const SWEEP_BUDGET: Duration = Duration::from_secs(80);

pub async fn on_schedule(sweep: &ReminderSweep, event: serde_json::Value) -> Result<SweepReport, StoreError> {
    let span = invocation_span("reminders");
    let report = async {
        tracing::info!(time = event["time"].as_str().unwrap_or_default(), "scheduled sweep");
        sweep.run(SWEEP_BUDGET).await
    }
    .instrument(span)
    .await;
    if let Ok(report) = &report {
        metrics::counter!(names::REMINDERS_SENT).increment(report.sent as u64);
    }
    emf::flush();
    report
}
