//! Which store the local runner uses: embedded by default, DynamoDB at an endpoint when asked.

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use linklet::{
    adapters::{
        aws,
        dynamo::{DynamoStore, migrations},
        embedded::EmbeddedStore,
    },
    ports::Store,
};

#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub data_dir: PathBuf,
    pub aws_endpoint_url: Option<String>,
    pub table: String,
}

/// Opens the store and says which one it is. At a DynamoDB endpoint the
/// migrations are applied first, so a fresh local endpoint just works.
pub async fn open(options: &StoreOptions) -> anyhow::Result<(Arc<dyn Store>, String)> {
    match &options.aws_endpoint_url {
        Some(endpoint) => {
            let config = aws::local_sdk_config(endpoint).await;
            let client = aws::dynamodb(&config);
            migrations::apply(&client, &options.table)
                .await
                .with_context(|| format!("applying migrations to table {} at {endpoint}", options.table))?;
            let store = DynamoStore::new(client, &options.table);
            Ok((Arc::new(store), format!("DynamoDB table {} at {endpoint}", options.table)))
        }
        None => {
            let store = EmbeddedStore::open(&options.data_dir)
                .with_context(|| format!("opening the store in {}", options.data_dir.display()))?;
            let described = format!("embedded store in {}", options.data_dir.display());
            Ok((Arc::new(store), described))
        }
    }
}
