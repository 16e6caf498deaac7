//! The functions' entry points, named by what they own: the wiring every
//! runner shares (`wiring`), the jobs function's SQS batch handler
//! (`sqs_batch`) and the reminder function's schedule handler (`schedule`).
//! The webhook's HTTP routes are in `crate::http`.

mod schedule;
mod sqs_batch;
mod wiring;

pub use schedule::{SWEEP_BUDGET, on_schedule};
pub use sqs_batch::{JobsFunction, on_sqs_batch};
pub use wiring::{
    Keys, Ports, StartupError, assistant, deps, job_runner, lambda_jobs, lambda_reminders, lambda_webhook,
    vault,
};
