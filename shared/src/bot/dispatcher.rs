//! Idempotent handling of Telegram updates: claim, route, complete or release.

use std::time::Duration;

use teloxide_core::types::Update;
use tracing::{info, warn};

use super::{Deps, HandleError, Router};
use crate::{
    domain::UpdateId,
    ports::{Claim, ClaimKey},
};

/// How long a delivery owns its update before a redelivery may take it over:
/// longer than the webhook function's timeout (30 s).
pub const CLAIM_LEASE: Duration = Duration::from_secs(60);

/// How long a handled update is remembered: Telegram redelivers for up to 24 h.
pub const CLAIM_KEEP: Duration = Duration::from_secs(25 * 3600);

/// What became of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatched {
    Handled,
    /// Handled before: nothing was done.
    Duplicate,
    /// Another delivery of it is being handled now; the caller should ask for a redelivery.
    InProgress,
    /// Failed for a reason a retry cannot fix; logged and acknowledged.
    Failed,
}

/// The single entry point every runner feeds updates to.
#[derive(Clone)]
pub struct Dispatcher {
    deps: Deps,
    router: Router,
}

impl Dispatcher {
    pub fn new(deps: Deps) -> Dispatcher {
        Dispatcher { router: Router::new(deps.clone()), deps }
    }

    /// Handles `update` once. A transient failure releases the claim and is
    /// returned, so the caller answers 5xx and Telegram's redelivery runs again.
    #[tracing::instrument(skip_all, fields(update_id = update.id.0))]
    pub async fn dispatch(&self, update: &Update) -> Result<Dispatched, HandleError> {
        let id = &ClaimKey::update(UpdateId(update.id.0));
        let claims = &self.deps.store;
        let now = self.deps.clock.now();
        match claims.claim(id, now, CLAIM_LEASE).await? {
            Claim::Acquired => {}
            Claim::InProgress => {
                info!("update is being handled by another delivery");
                return Ok(Dispatched::InProgress);
            }
            Claim::Completed => {
                info!("duplicate update ignored");
                return Ok(Dispatched::Duplicate);
            }
        }
        let outcome = match self.router.route(update).await {
            Ok(()) => Dispatched::Handled,
            Err(e) if e.is_transient() => {
                warn!(error = %e, "transient failure, releasing the update for a retry");
                if let Err(release) = claims.release_claim(id).await {
                    warn!(error = %release, "could not release the claim; it expires with its lease");
                }
                return Err(e);
            }
            Err(e) => {
                warn!(error = %e, "permanent failure, update acknowledged");
                Dispatched::Failed
            }
        };
        let done_at = self.deps.clock.now();
        if let Err(e) = claims.complete_claim(id, done_at, CLAIM_KEEP).await {
            // The work is done; a retry would repeat it. The claim stays in progress
            // until its lease ends, which still stops an immediate redelivery.
            warn!(error = %e, "could not mark the update completed");
        }
        Ok(outcome)
    }
}
