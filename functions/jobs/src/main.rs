//! Lambda: queued jobs (assistant questions, integration calls) from SQS,
//! reporting partial batch failures. Wiring only: configuration, clients and
//! secrets are built once per cold start.

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use linklet::{
    adapters::aws::sdk_config,
    app::{lambda_jobs, on_sqs_batch},
    config::Config,
    telemetry::{self, LogFormat},
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = Config::from_env();
    telemetry::init(LogFormat::detect(), &config.log_level);
    linklet::emf::install("jobs");
    let aws = sdk_config().await;
    let jobs = Arc::new(lambda_jobs(&config, &aws).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| {
        let jobs = Arc::clone(&jobs);
        async move { Ok::<_, Error>(on_sqs_batch(&jobs, event.payload).await) }
    }))
    .await
}
