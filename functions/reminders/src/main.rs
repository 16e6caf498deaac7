//! Lambda: the reminder sweep, invoked every minute by an EventBridge schedule.
//! Wiring only: configuration, clients and secrets are built once per cold start.

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use linklet::{
    adapters::aws::sdk_config,
    app::{lambda_reminders, on_schedule},
    config::Config,
    telemetry::{self, LogFormat},
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = Config::from_env();
    telemetry::init(LogFormat::detect(), &config.log_level);
    linklet::emf::install("reminders");
    let aws = sdk_config().await;
    let sweep = Arc::new(lambda_reminders(&config, &aws).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let sweep = Arc::clone(&sweep);
        async move {
            let report = on_schedule(&sweep, event.payload).await?;
            Ok::<_, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
