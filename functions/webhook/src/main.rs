//! Lambda: Telegram's webhook, `POST /telegram` behind an HTTP API. Wiring only:
//! configuration, clients and secrets are built once per cold start.

use linklet::{
    adapters::aws::sdk_config,
    app::lambda_webhook,
    config::Config,
    telemetry::{self, LogFormat},
};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    telemetry::init(LogFormat::detect(), &config.log_level);
    linklet::emf::install("webhook");
    let aws = sdk_config().await;
    let app = lambda_webhook(&config, &aws).await?;
    lambda_http::run(app).await
}
