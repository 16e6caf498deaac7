//! Metrics through the `metrics` facade, written as CloudWatch embedded
//! metric format (EMF) lines: CloudWatch turns each line of a Lambda's log
//! into metric values. Installed by the Lambda functions only; elsewhere the
//! `metrics` macros are no-ops. Each function flushes after each invocation.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
};

use metrics::{Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "Linklet";
/// EMF allows 100 values per metric in one document.
const MAX_VALUES: usize = 100;

/// The metric names Linklet records, in one place.
pub mod names {
    /// Updates handled, by `kind` (message, callback_query, other).
    pub const UPDATES: &str = "updates";
    /// Milliseconds to handle an update, by `kind`.
    pub const UPDATE_MS: &str = "update_ms";
    /// Updates rejected, by `reason` (secret, rate_limit, banned).
    pub const REJECTED: &str = "rejected";
    /// Job deliveries, by `kind` and `outcome` (done, duplicate, retry, failed).
    pub const JOBS: &str = "jobs";
    pub const REMINDERS_SENT: &str = "reminders_sent";
    /// Times Telegram answered 429.
    pub const TELEGRAM_THROTTLED: &str = "telegram_throttled";
    /// Workflow runs finished, by `status` (succeeded, failed, cancelled).
    pub const RUNS: &str = "workflow_runs";
}

#[derive(Default)]
struct Values(Mutex<Vec<f64>>);

impl HistogramFn for Values {
    fn record(&self, value: f64) {
        let mut values = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if values.len() < MAX_VALUES {
            values.push(value);
        }
    }
}

#[derive(Default)]
struct Registry {
    counters: BTreeMap<Key, Arc<AtomicU64>>,
    histograms: BTreeMap<Key, Arc<Values>>,
    units: BTreeMap<String, Unit>,
}

/// The recorder: counters and histograms kept until the next flush.
#[derive(Default, Clone)]
pub struct EmfRecorder {
    registry: Arc<Mutex<Registry>>,
    function: Arc<str>,
}

/// Where flushed lines go: stdout on Lambda (CloudWatch Logs reads it).
type Sink = Box<dyn Fn(&str) + Send + Sync>;

static INSTALLED: OnceLock<(EmfRecorder, Sink)> = OnceLock::new();

impl EmfRecorder {
    pub fn new(function: &str) -> EmfRecorder {
        EmfRecorder { registry: Arc::default(), function: function.into() }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The EMF lines for what was recorded since the last flush (one per set of
    /// labels), and resets it. Metrics that did not move are left out.
    pub fn drain(&self, timestamp_ms: i64) -> Vec<String> {
        let registry = self.registry();
        let mut groups: BTreeMap<Vec<(String, String)>, Map<String, Value>> = BTreeMap::new();
        let mut defined: BTreeMap<Vec<(String, String)>, Vec<Value>> = BTreeMap::new();
        let labels = |key: &Key| -> Vec<(String, String)> {
            key.labels().map(|l| (l.key().to_owned(), l.value().to_owned())).collect()
        };
        let unit = |name: &str| registry.units.get(name).map_or("None", |u| emf_unit(*u));
        for (key, counter) in &registry.counters {
            let value = counter.swap(0, Ordering::Relaxed);
            if value > 0 {
                let group = labels(key);
                groups.entry(group.clone()).or_default().insert(key.name().to_owned(), json!(value));
                defined
                    .entry(group)
                    .or_default()
                    .push(json!({ "Name": key.name(), "Unit": unit(key.name()) }));
            }
        }
        for (key, values) in &registry.histograms {
            let values: Vec<f64> = std::mem::take(&mut *values.0.lock().unwrap_or_else(|p| p.into_inner()));
            if !values.is_empty() {
                let group = labels(key);
                groups.entry(group.clone()).or_default().insert(key.name().to_owned(), json!(values));
                defined
                    .entry(group)
                    .or_default()
                    .push(json!({ "Name": key.name(), "Unit": unit(key.name()) }));
            }
        }
        groups
            .into_iter()
            .map(|(group, mut document)| {
                let mut dimensions = vec![json!("function")];
                for (name, value) in &group {
                    dimensions.push(json!(name));
                    document.insert(name.clone(), json!(value));
                }
                document.insert("function".into(), json!(self.function.as_ref()));
                document.insert(
                    "_aws".into(),
                    json!({
                        "Timestamp": timestamp_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": NAMESPACE,
                            "Dimensions": [dimensions],
                            "Metrics": defined.remove(&group).unwrap_or_default(),
                        }],
                    }),
                );
                Value::Object(document).to_string()
            })
            .collect()
    }
}

fn emf_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "Count",
        Unit::Milliseconds => "Milliseconds",
        Unit::Seconds => "Seconds",
        Unit::Bytes => "Bytes",
        _ => "None",
    }
}

impl Recorder for EmfRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, _: SharedString) {
        if let Some(unit) = unit {
            self.registry().units.insert(key.as_str().to_owned(), unit);
        }
    }

    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, _: SharedString) {
        if let Some(unit) = unit {
            self.registry().units.insert(key.as_str().to_owned(), unit);
        }
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.registry().counters.entry(key.clone()).or_default().clone())
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.registry().histograms.entry(key.clone()).or_default().clone())
    }
}

/// Installs the recorder for `function`, writing to stdout (once per
/// process; later calls do nothing).
pub fn install(function: &str) {
    install_with_sink(function, Box::new(|line| println!("{line}")));
}

/// [`install`], with the lines going to `sink` (tests read them there).
pub fn install_with_sink(function: &str, sink: Sink) {
    let recorder = EmfRecorder::new(function);
    if INSTALLED.set((recorder.clone(), sink)).is_ok() && metrics::set_global_recorder(recorder).is_ok() {
        metrics::describe_histogram!(names::UPDATE_MS, Unit::Milliseconds, "time to handle an update");
    }
}

/// Writes what was recorded since the last flush, one EMF line per set of
/// labels; a no-op when the recorder is not installed.
pub fn flush() {
    if let Some((recorder, sink)) = INSTALLED.get() {
        for line in recorder.drain(chrono::Utc::now().timestamp_millis()) {
            sink(&line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_become_emf_documents_per_label_set() {
        let recorder = EmfRecorder::new("webhook");
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!(names::UPDATES, "kind" => "message").increment(2);
            metrics::counter!(names::REJECTED, "reason" => "secret").increment(1);
            metrics::histogram!(names::UPDATE_MS, "kind" => "message").record(12.5);
        });
        let lines = recorder.drain(1_795_723_200_000);
        let docs: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(docs.len(), 2);
        let updates = docs.iter().find(|d| d["kind"] == "message").unwrap();
        assert_eq!(updates["updates"], 2);
        assert_eq!(updates["update_ms"], json!([12.5]));
        assert_eq!(updates["function"], "webhook");
        let aws = &updates["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(aws["Namespace"], NAMESPACE);
        assert_eq!(aws["Dimensions"], json!([["function", "kind"]]));
        assert_eq!(aws["Metrics"].as_array().unwrap().len(), 2);
        assert_eq!(updates["_aws"]["Timestamp"], 1_795_723_200_000_i64);
        let rejected = docs.iter().find(|d| d["reason"] == "secret").unwrap();
        assert_eq!(rejected["rejected"], 1);
        // Flushed values start again from nothing.
        assert!(recorder.drain(0).is_empty());
    }
}
