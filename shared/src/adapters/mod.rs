//! Adapters: the ports implemented on DynamoDB, redb, SQS, Telegram, Secrets Manager and the AI providers.

pub mod ai;
pub mod aws;
pub mod dynamo;
pub mod embedded;
mod records;
pub mod secrets;
pub mod sqs;
pub mod telegram;
pub mod telegram_update;
