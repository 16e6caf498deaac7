//! Lambda's SQS event source mapping, played locally against an SQS endpoint
//! (moto): receive a batch, hand it to the jobs function as the SQS event
//! Lambda builds, then delete the records it did not report for a retry.

use std::time::Instant;

use aws_sdk_sqs::types::MessageSystemAttributeName;
use linklet::app::{JobsFunction, on_sqs_batch};
use serde_json::{Value, json};

/// One poll: the event handed to the function, the ids it reported, and how
/// long the function took.
#[derive(Debug, Clone)]
pub struct Poll {
    pub event: Value,
    pub failed: Vec<String>,
    pub millis: f64,
}

impl Poll {
    pub fn records(&self) -> usize {
        self.event["Records"].as_array().map_or(0, Vec::len)
    }
}

/// Receives up to 10 messages of `queue_url` (whose ARN is `queue_arn`), runs
/// them through `jobs`, and deletes those not reported. An empty queue gives
/// an empty poll (the function is not called).
pub async fn poll(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    queue_arn: &str,
    jobs: &JobsFunction,
) -> anyhow::Result<Poll> {
    let received = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await?;
    let messages = received.messages.unwrap_or_default();
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_owned(), Value::from(v.clone())))
                .collect();
            json!({
                "messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(),
                "attributes": attributes, "messageAttributes": {}, "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1",
            })
        })
        .collect();
    let event = json!({ "Records": records });
    if messages.is_empty() {
        return Ok(Poll { event, failed: Vec::new(), millis: 0.0 });
    }
    let started = Instant::now();
    let response = on_sqs_batch(jobs, serde_json::from_value(event.clone())?).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let failed: Vec<String> = response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect();
    for message in &messages {
        if !failed.iter().any(|id| Some(id.as_str()) == message.message_id()) {
            let receipt = message.receipt_handle().unwrap_or_default();
            sqs.delete_message().queue_url(queue_url).receipt_handle(receipt).send().await?;
        }
    }
    Ok(Poll { event, failed, millis })
}
