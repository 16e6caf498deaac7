//! The job queue locally: an in-process queue whose worker runs the same job
//! runner as the Lambda, with the same retries (a growing delay, at most
//! `JOB_MAX_RECEIVES` attempts, then logged as dead-lettered).

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use async_trait::async_trait;
use linklet::{
    config::QueueConfig,
    domain::job::Job,
    ports::{JobQueue, QueueDepths, QueueError},
    services::jobs::{Attempt, JobOutcome, JobRunner, retry_delay},
};
use tokio::sync::mpsc;
use tracing::error;

struct Delivery {
    job: Job,
    received: u32,
}

/// Jobs waiting or running, and jobs dead-lettered, for the admins' stats.
#[derive(Default)]
struct Counts {
    waiting: AtomicU64,
    failed: AtomicU64,
}

/// The sending half, handed to the bot as its queue.
#[derive(Clone)]
pub struct InProcessQueue {
    tx: mpsc::UnboundedSender<Delivery>,
    counts: Arc<Counts>,
}

/// The receiving half, started once the runner (which needs the queue) exists.
pub struct Worker {
    rx: mpsc::UnboundedReceiver<Delivery>,
    tx: mpsc::UnboundedSender<Delivery>,
    counts: Arc<Counts>,
}

pub fn in_process_queue() -> (InProcessQueue, Worker) {
    let (tx, rx) = mpsc::unbounded_channel();
    let counts = Arc::new(Counts::default());
    (InProcessQueue { tx: tx.clone(), counts: counts.clone() }, Worker { rx, tx, counts })
}

#[async_trait]
impl JobQueue for InProcessQueue {
    async fn enqueue(&self, job: &Job) -> Result<(), QueueError> {
        self.tx
            .send(Delivery { job: job.clone(), received: 1 })
            .map_err(|_| QueueError::Unavailable("the local job worker stopped".into()))?;
        self.counts.waiting.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn enqueue_in(&self, job: &Job, delay: std::time::Duration) -> Result<(), QueueError> {
        if delay.is_zero() {
            return self.enqueue(job).await;
        }
        if self.tx.is_closed() {
            return Err(QueueError::Unavailable("the local job worker stopped".into()));
        }
        self.counts.waiting.fetch_add(1, Ordering::Relaxed);
        let (tx, job) = (self.tx.clone(), job.clone());
        tokio::spawn(async move {
            tokio::time::sleep(delay.min(linklet::ports::MAX_QUEUE_DELAY)).await;
            let _ = tx.send(Delivery { job, received: 1 });
        });
        Ok(())
    }

    async fn depths(&self) -> Result<QueueDepths, QueueError> {
        Ok(QueueDepths {
            waiting: self.counts.waiting.load(Ordering::Relaxed),
            failed: self.counts.failed.load(Ordering::Relaxed),
        })
    }
}

impl Worker {
    /// Runs each job as it arrives, concurrently, until the process ends.
    pub fn spawn(mut self, runner: Arc<JobRunner>, settings: QueueConfig) {
        tokio::spawn(async move {
            while let Some(delivery) = self.rx.recv().await {
                let (runner, tx, settings) = (runner.clone(), self.tx.clone(), settings.clone());
                let counts = self.counts.clone();
                tokio::spawn(async move {
                    let attempt = Attempt::of(delivery.received, settings.max_receives);
                    let JobOutcome::Retry { at_least } = runner.run(&delivery.job, attempt).await else {
                        counts.waiting.fetch_sub(1, Ordering::Relaxed);
                        return;
                    };
                    if attempt.last {
                        error!(job = ?delivery.job, "job dead-lettered after its last attempt");
                        counts.waiting.fetch_sub(1, Ordering::Relaxed);
                        counts.failed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    let wait =
                        retry_delay(settings.retry_base, delivery.received).max(at_least.unwrap_or_default());
                    tokio::time::sleep(wait).await;
                    let _ = tx.send(Delivery { received: delivery.received + 1, ..delivery });
                });
            }
        });
    }
}
