//! Logging: JSON lines on Lambda, readable text locally; `LOG_LEVEL` honoured.

use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

impl LogFormat {
    /// JSON when running on Lambda, text otherwise.
    pub fn detect() -> LogFormat {
        if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() { LogFormat::Json } else { LogFormat::Text }
    }
}

/// The span of one invocation: every log line inside it carries `function`
/// and `cold_start` (true for the first invocation of the process).
pub fn invocation_span(function: &'static str) -> tracing::Span {
    static INVOKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let cold_start = !INVOKED.swap(true, std::sync::atomic::Ordering::Relaxed);
    tracing::info_span!("invocation", function, cold_start)
}

/// Installs the global subscriber; a second call is a no-op.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_new(level.to_ascii_lowercase())
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive("aws_smithy_runtime=warn".parse().unwrap_or_default())
        .add_directive("aws_config=warn".parse().unwrap_or_default())
        .add_directive("hyper=warn".parse().unwrap_or_default());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_target(false)
            .try_init(),
        LogFormat::Text => builder.compact().with_target(false).try_init(),
    };
}
