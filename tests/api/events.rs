//! Run events on EventBridge (moto): each run's start and end reach the
//! stack's bus as `source: linklet` events, which a rule routes on (here to
//! an SQS queue, as an operator would to an archive or analytics).

use linklet::domain::{TelegramId, workflow::WorkflowNumber};
use linklet_tests::{
    Webhook, aws_config, fresh_queue, unique,
    updates::{Person, private_text},
};
use serde_json::{Value, json};

/// A bus with a rule sending Linklet's events to a queue; the bus and the queue.
async fn bus_to_queue() -> (String, aws_sdk_sqs::Client, String) {
    let aws = aws_config().await;
    let events = aws_sdk_eventbridge::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let bus = unique("linklet-events");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let queue = fresh_queue(&sqs, "run-events").await;
    let rule = unique("runs");
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(json!({ "source": ["linklet"] }).to_string())
        .send()
        .await
        .unwrap();
    let target = aws_sdk_eventbridge::types::Target::builder().id("queue").arn(&queue.arn).build().unwrap();
    events.put_targets().rule(&rule).event_bus_name(&bus).targets(target).send().await.unwrap();
    (bus, sqs, queue.url)
}

async fn received(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<Value> {
    let mut events = Vec::new();
    for _ in 0..3 {
        let got = sqs.receive_message().queue_url(url).max_number_of_messages(10).send().await.unwrap();
        for message in got.messages.unwrap_or_default() {
            events.push(serde_json::from_str(message.body().unwrap_or_default()).unwrap());
        }
    }
    events
}

#[tokio::test]
async fn a_runs_start_and_end_reach_the_event_bus() {
    let (bus, sqs, url) = bus_to_queue().await;
    let bus_name = bus.clone();
    let hook = Webhook::start_with(move |name| (name == "LINKLET_EVENT_BUS").then(|| bus_name.clone())).await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9701);
    let doc = json!({
        "linklet_workflow": 1, "name": "Evented", "triggers": [{ "kind": "command", "name": "ev" }],
        "steps": [
            { "name": "one", "kind": "send_message", "text": "one" },
            { "name": "two", "kind": "send_message", "text": "{{ steps.nope.output }}" },
        ],
    });
    hook.deliver(&private_text(1, &ada, &doc.to_string())).await;
    hook.deliver(&private_text(2, &ada, "/ev")).await;
    for _ in 0..3 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
    }
    let run = linklet::ports::Workflows::recent_runs(&hook.store(), TelegramId(9701), WorkflowNumber(1), 1)
        .await
        .unwrap()
        .remove(0);
    let events = received(&sqs, &url).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["detail-type"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["Workflow run started", "Workflow run finished"], "{events:?}");
    for event in &events {
        assert_eq!(event["source"], "linklet");
        assert_eq!(event["detail"]["run_id"], run.id.code());
        assert_eq!(event["detail"]["workflow"], 1);
        assert_eq!(event["detail"]["trigger"], "command");
    }
    let end = &events[1]["detail"];
    assert_eq!(end["status"], "failed");
    assert_eq!(end["failed_step"], "two");
    assert!(end["duration_ms"].as_i64().is_some_and(|ms| ms >= 0), "{end}");
}
