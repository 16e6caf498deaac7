//! The job queue locally: an in-process queue whose worker runs the same job
//! runner as the Lambda, with the same retries (a growing delay, at most
//! `JOB_MAX_RECEIVES` attempts, then logged as dead-lettered).

use std::sync::Arc;

use async_trait::async_trait;
use linklet::{
    config::QueueConfig,
    domain::job::Job,
    ports::{JobQueue, QueueError},
    services::jobs::{Attempt, JobOutcome, JobRunner, retry_delay},
};
use tokio::sync::mpsc;
use tracing::error;

struct Delivery {
    job: Job,
    received: u32,
}

/// The sending half, handed to the bot as its queue.
#[derive(Clone)]
pub struct InProcessQueue {
    tx: mpsc::UnboundedSender<Delivery>,
}

/// The receiving half, started once the runner (which needs the queue) exists.
pub struct Worker {
    rx: mpsc::UnboundedReceiver<Delivery>,
    tx: mpsc::UnboundedSender<Delivery>,
}

pub fn in_process_queue() -> (InProcessQueue, Worker) {
    let (tx, rx) = mpsc::unbounded_channel();
    (InProcessQueue { tx: tx.clone() }, Worker { rx, tx })
}

#[async_trait]
impl JobQueue for InProcessQueue {
    async fn enqueue(&self, job: &Job) -> Result<(), QueueError> {
        self.tx
            .send(Delivery { job: job.clone(), received: 1 })
            .map_err(|_| QueueError::Unavailable("the local job worker stopped".into()))
    }
}

impl Worker {
    /// Runs each job as it arrives, concurrently, until the process ends.
    pub fn spawn(mut self, runner: Arc<JobRunner>, settings: QueueConfig) {
        tokio::spawn(async move {
            while let Some(delivery) = self.rx.recv().await {
                let (runner, tx, settings) = (runner.clone(), self.tx.clone(), settings.clone());
                tokio::spawn(async move {
                    let attempt = Attempt::of(delivery.received, settings.max_receives);
                    if runner.run(&delivery.job, attempt).await != JobOutcome::Retry {
                        return;
                    }
                    if attempt.last {
                        error!(job = ?delivery.job, "job dead-lettered after its last attempt");
                        return;
                    }
                    tokio::time::sleep(retry_delay(settings.retry_base, delivery.received)).await;
                    let _ = tx.send(Delivery { received: delivery.received + 1, ..delivery });
                });
            }
        });
    }
}
