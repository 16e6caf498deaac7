//! What can go wrong while handling an update, and whether a retry can help.

use crate::ports::{MessengerError, QueueError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Messenger(#[from] MessengerError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl HandleError {
    /// Transient infrastructure failures are retried (the update is redelivered);
    /// everything else is logged and the update is acknowledged.
    pub fn is_transient(&self) -> bool {
        match self {
            HandleError::Store(e) => e.is_transient(),
            HandleError::Messenger(e) => e.is_transient(),
            HandleError::Queue(e) => e.is_transient(),
        }
    }
}
