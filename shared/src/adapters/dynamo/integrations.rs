//! Connected services on DynamoDB: `USER#<id>` / `INTEGRATION#<service>`,
//! the credential stored sealed (`credentials`), never clear.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};

use super::{DynamoStore, Item, s, store_error, user_item_key};
use crate::domain::{
    TelegramId,
    integration::{Service, StoredIntegration},
};
use crate::ports::{Integrations, StoreError};

fn key(user: TelegramId, service: Service) -> Item {
    user_item_key(user, format!("INTEGRATION#{}", service.code()))
}

#[async_trait]
impl Integrations for DynamoStore {
    async fn put_integration(
        &self,
        user: TelegramId,
        integration: &StoredIntegration,
    ) -> Result<(), StoreError> {
        let mut item = key(user, integration.service);
        item.insert("entity".into(), s("integration"));
        item.insert("service_name".into(), s(integration.service.code()));
        item.insert("credentials".into(), s(&integration.sealed));
        item.insert("is_active".into(), AttributeValue::Bool(integration.is_active));
        item.insert("connected_at".into(), s(integration.connected_at.to_rfc3339()));
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get_integration(
        &self,
        user: TelegramId,
        service: Service,
    ) -> Result<Option<StoredIntegration>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(user, service)))
            .send()
            .await
            .map_err(store_error)?;
        output.item.as_ref().map(from_item).transpose()
    }

    async fn list_integrations(&self, user: TelegramId) -> Result<Vec<StoredIntegration>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(format!("USER#{}", user.0)))
            .expression_attribute_values(":prefix", s("INTEGRATION#"));
        self.query_all(query, None).await?.iter().map(from_item).collect()
    }

    async fn delete_integration(&self, user: TelegramId, service: Service) -> Result<bool, StoreError> {
        let output = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key(user, service)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(store_error)?;
        Ok(output.attributes.is_some_and(|a| !a.is_empty()))
    }
}

fn from_item(item: &Item) -> Result<StoredIntegration, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let corrupt = |what: &str| StoreError::Corrupt(format!("integration item without a valid {what}"));
    Ok(StoredIntegration {
        service: text("service_name")
            .and_then(|c| Service::from_code(c))
            .ok_or_else(|| corrupt("service_name"))?,
        sealed: text("credentials").ok_or_else(|| corrupt("credentials"))?.clone(),
        is_active: item.get("is_active").and_then(|v| v.as_bool().ok()).copied().unwrap_or(true),
        connected_at: text("connected_at")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| corrupt("connected_at"))?,
    })
}
