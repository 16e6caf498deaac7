//! `http_request`: a call to a URL the user gave (method, url, headers,
//! body: templates), only through the guarded client. Output: `status`,
//! `headers`, `body` (parsed when it is JSON). A 429 or a 5xx is retried,
//! another 4xx or a refused address fails the run.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use super::{StepCx, StepError, StepKind, StepOutcome};
use crate::{
    domain::workflow::{FieldError, Problem, StepDef},
    ports::outbound::{OutboundError, OutboundRequest},
    services::workflows::template::Templates,
};

pub struct HttpRequest;

const FIELDS: &[&str] = &["method", "url", "headers", "body"];
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[async_trait]
impl StepKind for HttpRequest {
    fn kind(&self) -> &'static str {
        "http_request"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        &[("method", false), ("url", true), ("headers", false), ("body", false)]
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        let template = |field: &str, source: &str| {
            templates.check(source).map_err(|e| FieldError::new(field, Problem::Invalid(e.to_string())))
        };
        match step.fields.get("url") {
            None => return Err(FieldError::new("url", Problem::Missing)),
            Some(Value::String(url)) if url.trim().is_empty() => {
                return Err(FieldError::new("url", Problem::Empty));
            }
            Some(Value::String(url)) => template("url", url)?,
            Some(_) => return Err(FieldError::new("url", Problem::Invalid("not text".into()))),
        }
        match step.fields.get("method") {
            None => {}
            Some(Value::String(m)) if METHODS.contains(&m.to_ascii_uppercase().as_str()) => {}
            Some(_) => {
                return Err(FieldError::new(
                    "method",
                    Problem::Invalid(format!("one of {}", METHODS.join(", "))),
                ));
            }
        }
        match step.fields.get("headers") {
            None => {}
            Some(Value::Object(headers)) => {
                for (name, value) in headers {
                    let field = format!("headers.{name}");
                    let valid = !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if !valid {
                        return Err(FieldError::new(field, Problem::Invalid("not a header name".into())));
                    }
                    match value {
                        Value::String(source) => template(&field, source)?,
                        _ => return Err(FieldError::new(field, Problem::Invalid("not text".into()))),
                    }
                }
            }
            Some(_) => {
                return Err(FieldError::new(
                    "headers",
                    Problem::Invalid("not an object of names and texts".into()),
                ));
            }
        }
        match step.fields.get("body") {
            None => {}
            Some(Value::String(source)) => template("body", source)?,
            Some(_) => {
                return Err(FieldError::new(
                    "body",
                    Problem::Invalid("not text (write JSON as a text)".into()),
                ));
            }
        }
        match step.fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            Some(other) => Err(FieldError::new(
                other.clone(),
                Problem::Invalid("not a field of this kind of step".into()),
            )),
            None => Ok(()),
        }
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let Some(client) = cx.tools.http.clone() else {
            return Err(StepError::Permanent("outbound calls are not available on this Linklet".into()));
        };
        let url = cx.required(step, "url")?;
        let method = step.text("method").unwrap_or("GET").to_ascii_uppercase();
        let mut headers = Vec::new();
        if let Some(Value::Object(fields)) = step.fields.get("headers") {
            for (name, source) in fields {
                let Value::String(source) = source else { continue };
                let value = cx
                    .templates
                    .render(source, cx.vars)
                    .map_err(|e| StepError::Permanent(format!("headers.{name}: {e}")))?;
                headers.push((name.clone(), value));
            }
            // What was sent is kept on the run, without the values of credentials.
            let shown: Map<String, Value> = headers
                .iter()
                .map(|(n, v)| {
                    (n.clone(), Value::String(if secret_header(n) { "[redacted]".into() } else { v.clone() }))
                })
                .collect();
            cx.inputs.insert("headers".into(), Value::Object(shown));
        }
        let body = cx.render(step, "body")?;
        cx.inputs.insert("method".into(), Value::String(method.clone()));
        let request = OutboundRequest { method, url, headers, body };
        let response = client.send(&request).await.map_err(|e| match e {
            OutboundError::Refused(why) => StepError::Permanent(why),
            OutboundError::TooLarge(n) => StepError::Permanent(format!("the answer is over {n} bytes")),
            OutboundError::Unavailable(why) => StepError::transient(why),
        })?;
        let host = reqwest::Url::parse(&request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        match response.status {
            429 => Err(StepError::Transient {
                why: format!("HTTP 429 from {host}"),
                retry_after: response
                    .header("retry-after")
                    .and_then(|s| s.trim().parse().ok())
                    .map(Duration::from_secs),
            }),
            500..=599 => Err(StepError::transient(format!("HTTP {} from {host}", response.status))),
            400..=499 => Err(StepError::Permanent(format!("HTTP {} from {host}", response.status))),
            status => {
                let is_json = response.header("content-type").is_some_and(|t| t.contains("json"));
                let text = String::from_utf8_lossy(&response.body).into_owned();
                let body = if is_json {
                    serde_json::from_str(&text).unwrap_or(Value::String(text))
                } else {
                    Value::String(text)
                };
                let headers: Map<String, Value> =
                    response.headers.into_iter().map(|(n, v)| (n, Value::String(v))).collect();
                Ok(StepOutcome::Done(json!({ "status": status, "headers": headers, "body": body })))
            }
        }
    }
}

fn secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["authorization", "cookie", "x-api-key", "api-key", "token"].iter().any(|s| name.contains(s))
}
