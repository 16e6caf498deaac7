//! The job queue on SQS: a queue per lane with JSON bodies, a growing delay
//! before a failed message comes back, and redrive from a dead-letter queue.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::{
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    types::{DeleteMessageBatchRequestEntry, QueueAttributeName, SendMessageBatchRequestEntry},
};

use crate::{
    domain::job::{Job, Lane},
    ports::{JobQueue, QueueDepths, QueueError},
};

/// SQS's limit on a message body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    ai_url: String,
    integrations_url: Option<String>,
}

impl SqsQueue {
    pub fn new(client: aws_sdk_sqs::Client, ai_url: String, integrations_url: Option<String>) -> SqsQueue {
        SqsQueue { client, ai_url, integrations_url }
    }

    fn url(&self, lane: Lane) -> Result<&str, QueueError> {
        match lane {
            Lane::Ai => Ok(&self.ai_url),
            Lane::Integrations => self
                .integrations_url
                .as_deref()
                .ok_or_else(|| QueueError::Refused("INTEGRATION_JOBS_QUEUE_URL is not set".into())),
        }
    }

    /// The URL of the queue an event record came from (`eventSourceARN`).
    fn url_of_arn(&self, arn: &str) -> Option<&str> {
        let name = arn.rsplit(':').next()?;
        [Some(self.ai_url.as_str()), self.integrations_url.as_deref()]
            .into_iter()
            .flatten()
            .find(|url| url.rsplit('/').next() == Some(name))
    }

    /// Delays the next delivery of a message that failed, so that retries
    /// space out instead of coming back after the whole visibility timeout.
    pub async fn retry_after(
        &self,
        source_arn: &str,
        receipt: &str,
        delay: Duration,
    ) -> Result<(), QueueError> {
        let url = self
            .url_of_arn(source_arn)
            .ok_or_else(|| QueueError::Refused(format!("no configured queue for {source_arn}")))?;
        let seconds = i32::try_from(delay.as_secs()).unwrap_or(i32::MAX).min(12 * 3600);
        self.client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt)
            .visibility_timeout(seconds)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    async fn enqueue(&self, job: &Job) -> Result<(), QueueError> {
        self.enqueue_in(job, Duration::ZERO).await
    }

    async fn enqueue_in(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::to_string(job).map_err(|e| QueueError::Refused(e.to_string()))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(QueueError::Refused(format!("job of {} bytes is over the SQS limit", body.len())));
        }
        let delay = delay.min(crate::ports::MAX_QUEUE_DELAY).as_secs();
        self.client
            .send_message()
            .queue_url(self.url(job.work.lane())?)
            .message_body(body)
            .delay_seconds(i32::try_from(delay).unwrap_or(900))
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn depths(&self) -> Result<QueueDepths, QueueError> {
        let mut depths = QueueDepths::default();
        for url in [Some(self.ai_url.as_str()), self.integrations_url.as_deref()].into_iter().flatten() {
            let (count, dead_letter_arn) = self.count(url).await?;
            depths.waiting += count;
            if let Some(name) = dead_letter_arn.as_deref().and_then(|arn| arn.rsplit(':').next()) {
                let found = self.client.get_queue_url().queue_name(name).send().await.map_err(queue_error)?;
                depths.failed += self.count(found.queue_url().unwrap_or_default()).await?.0;
            }
        }
        Ok(depths)
    }
}

impl SqsQueue {
    /// Messages in `url` (visible or in flight), and its dead-letter queue's ARN.
    async fn count(&self, url: &str) -> Result<(u64, Option<String>), QueueError> {
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await
            .map_err(queue_error)?;
        let attributes = output.attributes.unwrap_or_default();
        let number =
            |name: &QueueAttributeName| attributes.get(name).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        let count = number(&QueueAttributeName::ApproximateNumberOfMessages)
            + number(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
        let dead_letter = attributes
            .get(&QueueAttributeName::RedrivePolicy)
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
            .and_then(|p| p["deadLetterTargetArn"].as_str().map(str::to_owned));
        Ok((count, dead_letter))
    }
}

/// A job queue with its dead-letter queue, created for local development and
/// tests the way `template.yaml` declares them.
#[derive(Debug, Clone)]
pub struct CreatedQueue {
    pub url: String,
    pub arn: String,
    pub dead_letter_url: String,
}

/// Creates queue `name` (visibility `visibility_seconds`) and `name-dlq`, which
/// receives a message after `max_receives` receives. Idempotent, like SQS's CreateQueue.
pub async fn create_queue_with_dead_letter(
    client: &aws_sdk_sqs::Client,
    name: &str,
    max_receives: u32,
    visibility_seconds: u32,
) -> Result<CreatedQueue, QueueError> {
    let dead_letter =
        client.create_queue().queue_name(format!("{name}-dlq")).send().await.map_err(queue_error)?;
    let dead_letter_url = dead_letter.queue_url().unwrap_or_default().to_owned();
    let dead_letter_arn = queue_arn(client, &dead_letter_url).await?;
    let policy =
        serde_json::json!({ "deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receives });
    let queue = client
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::VisibilityTimeout, visibility_seconds.to_string())
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .map_err(queue_error)?;
    let url = queue.queue_url().unwrap_or_default().to_owned();
    let arn = queue_arn(client, &url).await?;
    Ok(CreatedQueue { url, arn, dead_letter_url })
}

async fn queue_arn(client: &aws_sdk_sqs::Client, url: &str) -> Result<String, QueueError> {
    let attributes = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(queue_error)?;
    attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| QueueError::Unavailable(format!("no ARN for {url}")))
}

/// Moves every message of the dead-letter queue `from` back to `to`, ten at a
/// time (each is deleted only once sent); returns how many moved.
pub async fn redrive(client: &aws_sdk_sqs::Client, from: &str, to: &str) -> Result<usize, QueueError> {
    let mut moved = 0;
    loop {
        let received = client
            .receive_message()
            .queue_url(from)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(queue_error)?;
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(moved);
        }
        let mut sends = Vec::new();
        for (i, message) in messages.iter().enumerate() {
            let entry = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(message.body().unwrap_or_default())
                .build()
                .map_err(|e| QueueError::Refused(e.to_string()))?;
            sends.push(entry);
        }
        let sent = client
            .send_message_batch()
            .queue_url(to)
            .set_entries(Some(sends))
            .send()
            .await
            .map_err(queue_error)?;
        let mut deletes = Vec::new();
        for ok in sent.successful() {
            let Some(message) = ok.id().parse::<usize>().ok().and_then(|i| messages.get(i)) else { continue };
            let entry = DeleteMessageBatchRequestEntry::builder()
                .id(ok.id())
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .build()
                .map_err(|e| QueueError::Refused(e.to_string()))?;
            deletes.push(entry);
        }
        if deletes.is_empty() {
            return Err(QueueError::Unavailable(format!(
                "{} messages could not be sent back",
                messages.len()
            )));
        }
        moved += deletes.len();
        client
            .delete_message_batch()
            .queue_url(from)
            .set_entries(Some(deletes))
            .send()
            .await
            .map_err(queue_error)?;
    }
}

fn queue_error<E, R>(err: SdkError<E, R>) -> QueueError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().map(str::to_owned);
    let text = DisplayErrorContext(&err).to_string();
    match code.as_deref() {
        Some(
            "AWS.SimpleQueueService.NonExistentQueue"
            | "QueueDoesNotExist"
            | "InvalidParameterValue"
            | "InvalidMessageContents"
            | "AccessDenied"
            | "AccessDeniedException",
        ) => QueueError::Refused(text),
        _ => QueueError::Unavailable(text),
    }
}
