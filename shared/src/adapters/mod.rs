//! Adapters: the ports implemented on DynamoDB, redb, Telegram and Secrets Manager.

pub mod ai;
pub mod aws;
pub mod dynamo;
pub mod embedded;
mod records;
pub mod secrets;
pub mod telegram;
