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

/// The libraries that log what they carry at DEBUG or TRACE (the raw Lambda
/// event with the webhook secret, request bodies with message texts, signed
/// AWS requests): capped whatever `LOG_LEVEL` says. A directive covers every
/// target its name starts (`aws_smithy` covers `aws_smithy_runtime`).
const CAPPED: [&str; 12] = [
    "lambda_runtime=info",
    "lambda_http=info",
    "teloxide_core=info",
    "reqwest=info",
    "aws_smithy=warn",
    "aws_sigv4=warn",
    "aws_runtime=warn",
    "aws_config=warn",
    "aws_sdk=warn",
    "hyper=warn",
    "h2=warn",
    "rustls=warn",
];

/// `level` (`LOG_LEVEL`, default `info`) for Linklet's own lines, with the
/// libraries in [`CAPPED`] held to their cap.
pub fn filter(level: &str) -> EnvFilter {
    CAPPED.iter().fold(
        EnvFilter::try_new(level.to_ascii_lowercase()).unwrap_or_else(|_| EnvFilter::new("info")),
        |filter, directive| filter.add_directive(directive.parse().unwrap_or_default()),
    )
}

/// Installs the global subscriber; a second call is a no-op.
pub fn init(format: LogFormat, level: &str) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter(level)).with_writer(std::io::stderr);
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

/// What a caught panic said, for its log line.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::{fmt::MakeWriter, layer::SubscriberExt as _};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    #[test]
    fn at_trace_the_runtime_crates_never_log_what_they_carry() {
        // Issue 9.8: lambda_runtime logs the raw event (webhook secret, texts) at TRACE.
        for level in ["TRACE", "DEBUG", "trace,lambda_runtime=trace"] {
            let captured = Captured::default();
            let subscriber = tracing_subscriber::registry()
                .with(filter(level))
                .with(tracing_subscriber::fmt::layer().with_writer(captured.clone()));
            tracing::subscriber::with_default(subscriber, || {
                tracing::trace!(target: "lambda_runtime::layers::api_client", "raw event: secret-in-event");
                tracing::debug!(target: "lambda_runtime_api_client", "body: secret-in-body");
                tracing::trace!(target: "teloxide_core::requests", "sendMessage text: secret-in-text");
                tracing::trace!(target: "aws_sigv4::http_request::sign", "signing request: secret-in-item");
                tracing::trace!(target: "aws_smithy_runtime::client", "body: secret-in-aws-body");
                tracing::trace!(target: "linklet::bot", "linklet's own trace line");
            });
            let text =
                String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
            assert!(!text.contains("secret-in"), "{level}: {text}");
            if level == "TRACE" {
                assert!(text.contains("linklet's own trace line"), "{level}: {text}");
            }
        }
    }
}
