//! Adapters: the ports implemented on DynamoDB, redb, SQS, Telegram, Secrets Manager, the AI providers,
//! and the guarded client for URLs users give.

pub mod ai;
pub mod aws;
pub mod dynamo;
pub mod embedded;
pub mod eventbridge;
pub mod guarded_http;
mod records;
pub mod secrets;
pub mod sqs;
pub mod telegram;
pub mod telegram_update;
