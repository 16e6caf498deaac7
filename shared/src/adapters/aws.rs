//! The AWS SDK configuration: rustls on ring over one hyper client, and
//! `AWS_ENDPOINT_URL` honoured (moto in tests, DynamoDB Local, ...).

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::{
    Builder,
    tls::{Provider, rustls_provider::CryptoMode},
};

/// Loads region, credentials and endpoint from the environment, once per cold
/// start. With `AWS_ENDPOINT_URL` set (moto under `cargo lambda watch`), it is
/// [`local_sdk_config`].
pub async fn sdk_config() -> SdkConfig {
    if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL").ok().filter(|e| !e.is_empty()) {
        return local_sdk_config(&endpoint).await;
    }
    let http = Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(http).load().await
}

/// A DynamoDB client on the shared configuration.
pub fn dynamodb(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// An SQS client on the shared configuration.
pub fn sqs(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// An EventBridge client on the shared configuration.
pub fn eventbridge(config: &SdkConfig) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(config)
}

/// Configuration for a local endpoint (moto, DynamoDB Local): the endpoint given,
/// and stand-in credentials and region where the environment has none, so that
/// nothing waits on an instance-metadata lookup.
pub async fn local_sdk_config(endpoint: &str) -> SdkConfig {
    use aws_config::Region;
    use aws_sdk_dynamodb::config::Credentials;

    let http = Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http).endpoint_url(endpoint);
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        loader = loader.credentials_provider(Credentials::new("local", "local", None, None, "linklet-local"));
    }
    if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none() {
        loader = loader.region(Region::new("us-east-1"));
    }
    loader.load().await
}
