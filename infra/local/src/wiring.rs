//! The local runner's wiring, the same for every mode: the store and
//! messenger given, the in-process job queue and its worker, then the same
//! builder as the Lambda functions (`app::deps`, `app::job_runner`: the
//! assistant when a provider key is set), and the reminder sweep every minute.

use std::sync::Arc;

use linklet::{
    app,
    config::Config,
    ports::{Messenger, Store},
    services::{Deps, reminders::ReminderSweep},
};

/// What a local mode runs on.
pub struct Local {
    pub deps: Deps,
    pub sweep: Arc<ReminderSweep>,
}

/// The local runner's encryption key: `<data dir>/encryption-key`, created
/// (owner-only) the first time, so that `/connect` works without any setting.
pub fn local_encryption_key(data_dir: &std::path::Path) -> anyhow::Result<secrecy::SecretString> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = data_dir.join("encryption-key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned().into());
    }
    std::fs::create_dir_all(data_dir)?;
    let id = linklet::vault::KeyRing::new_key_id(chrono::Utc::now().date_naive());
    let setting = linklet::vault::KeyRing::generate_setting(&id);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
    std::io::Write::write_all(&mut file, setting.as_bytes())?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(setting.into())
}

/// Starts the job worker and the minute sweep, and returns the bot's dependencies.
pub fn start(config: &Config, store: Arc<dyn Store>, messenger: Arc<dyn Messenger>) -> anyhow::Result<Local> {
    let (queue, worker) = crate::jobs::in_process_queue();
    let keys = app::Keys::from_config(config);
    let deps = app::deps(config, app::Ports { store, messenger, queue: Arc::new(queue) }, &keys)?;
    worker.spawn(Arc::new(app::job_runner(config, &deps, &keys)?), config.queues.clone());
    let sweep = crate::sweeper::sweep(deps.clone());
    crate::sweeper::every_minute(sweep.clone());
    Ok(Local { deps, sweep })
}
