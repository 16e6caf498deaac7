//! The job queue port: where the webhook leaves slow work for the jobs function.

use async_trait::async_trait;

use crate::domain::job::Job;
pub use crate::domain::job::QueueDepths;

/// The longest delay a queue gives a message (SQS: 15 minutes).
pub const MAX_QUEUE_DELAY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The queue could not be reached or throttled us: retrying may work.
    #[error("job queue unavailable: {0}")]
    Unavailable(String),
    /// The queue refused the job (too large, no such queue): retrying will not help.
    #[error("job refused by the queue: {0}")]
    Refused(String),
}

impl QueueError {
    pub fn is_transient(&self) -> bool {
        matches!(self, QueueError::Unavailable(_))
    }
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Queues `job` on its lane's queue; it runs at least once after this returns.
    async fn enqueue(&self, job: &Job) -> Result<(), QueueError>;

    /// Queues `job` to be delivered after `delay` (at most [`MAX_QUEUE_DELAY`]:
    /// SQS's DelaySeconds; longer waits are parked and resumed by the sweep).
    async fn enqueue_in(&self, job: &Job, delay: std::time::Duration) -> Result<(), QueueError>;

    /// For the admins' stats.
    async fn depths(&self) -> Result<QueueDepths, QueueError>;
}
