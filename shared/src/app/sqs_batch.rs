//! The jobs function's handler: a batch from SQS, its records run
//! concurrently. Only the records that should come back are reported
//! (ReportBatchItemFailures), each after a delay growing with its receive
//! count; the others are done.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::future::join_all;
use tracing::{Instrument, error, warn};

use crate::{
    adapters::sqs::SqsQueue,
    config::QueueConfig,
    domain::job::Job,
    emf::{self, names},
    services::jobs::{Attempt, JobOutcome, JobRunner, retry_delay},
    telemetry::invocation_span,
};

/// The deployed jobs function: the job runner, and the queue it reports retries to.
pub struct JobsFunction {
    pub(super) runner: JobRunner,
    pub(super) queue: SqsQueue,
    pub(super) settings: QueueConfig,
}

pub async fn on_sqs_batch(jobs: &JobsFunction, event: SqsEvent) -> SqsBatchResponse {
    let outcomes = join_all(event.records.iter().map(|record| on_record(jobs, record)))
        .instrument(invocation_span("jobs"))
        .await;
    let mut response = SqsBatchResponse::default();
    for (record, retry) in event.records.iter().zip(outcomes) {
        if retry {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    emf::flush();
    response
}

/// Runs one record; true when it should be delivered again.
async fn on_record(jobs: &JobsFunction, record: &SqsMessage) -> bool {
    let message_id = record.message_id.as_deref().unwrap_or_default();
    let received = record.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
    let Some(job) = record.body.as_deref().and_then(|body| serde_json::from_str::<Job>(body).ok()) else {
        // Not a job Linklet wrote: kept for the operator in the dead-letter queue.
        error!(message_id, received, "unreadable job message; it goes to the dead-letter queue");
        return true;
    };
    let attempt = Attempt::of(received, jobs.settings.max_receives);
    let outcome = jobs.runner.run(&job, attempt).await;
    metrics::counter!(names::JOBS, "kind" => job.work.kind(), "outcome" => outcome.name()).increment(1);
    let JobOutcome::Retry { at_least } = outcome else {
        return false;
    };
    // After the last attempt too: the next receive moves it to the dead-letter queue.
    if let (Some(arn), Some(receipt)) = (&record.event_source_arn, &record.receipt_handle) {
        let delay = retry_delay(jobs.settings.retry_base, received).max(at_least.unwrap_or_default());
        if let Err(e) = jobs.queue.retry_after(arn, receipt, delay).await {
            warn!(message_id, error = %e, "could not delay the retry; it comes back after the visibility timeout");
        }
    }
    true
}
