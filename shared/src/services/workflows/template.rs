//! Templates and conditions over a run's data (`trigger`, `steps.<name>.output`,
//! `user`, `now`), with minijinja: a missing variable is an error that names
//! it, every evaluation is bounded by fuel, every result by a size.

use std::collections::BTreeSet;

use minijinja::{Environment, UndefinedBehavior, Value as JinjaValue};
use serde_json::Value;

/// Instructions one template may take (a loop over a large list ends).
const FUEL: u64 = 50_000;
/// The longest text a template may produce.
pub const RENDERED_CHARS: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template cannot be read: caught when the workflow is saved.
    #[error("template syntax: {0}")]
    Syntax(String),
    /// A variable the run does not have (`steps.issue.output.url`).
    #[error("no variable {0}")]
    Undefined(String),
    #[error("the template's result is longer than {RENDERED_CHARS} characters")]
    TooLong,
    /// Out of fuel, a bad filter call, a type error…
    #[error("template failed: {0}")]
    Failed(String),
}

/// The environment every workflow's templates are rendered in.
pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Templates {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(20);
        Templates { env }
    }
}

impl Templates {
    /// Whether `source` is a template minijinja can read.
    pub fn check(&self, source: &str) -> Result<(), TemplateError> {
        self.env.template_from_str(source).map(|_| ()).map_err(|e| TemplateError::Syntax(detail(&e)))
    }

    /// Whether `source` is an expression minijinja can read.
    pub fn check_expression(&self, source: &str) -> Result<(), TemplateError> {
        self.env.compile_expression(source).map(|_| ()).map_err(|e| TemplateError::Syntax(detail(&e)))
    }

    /// `source` rendered over `vars`.
    pub fn render(&self, source: &str, vars: &Value) -> Result<String, TemplateError> {
        let template = self.env.template_from_str(source).map_err(|e| TemplateError::Syntax(detail(&e)))?;
        let context = JinjaValue::from_serialize(vars);
        match template.render(&context) {
            Ok(text) if text.chars().count() > RENDERED_CHARS => Err(TemplateError::TooLong),
            Ok(text) => Ok(text),
            Err(e) if e.kind() == minijinja::ErrorKind::UndefinedError => {
                Err(undefined(template.undeclared_variables(true), vars, &e))
            }
            Err(e) => Err(TemplateError::Failed(detail(&e))),
        }
    }

    /// Whether expression `source` holds over `vars` (Jinja's truth: empty is false).
    pub fn holds(&self, source: &str, vars: &Value) -> Result<bool, TemplateError> {
        let expression =
            self.env.compile_expression(source).map_err(|e| TemplateError::Syntax(detail(&e)))?;
        match expression.eval(JinjaValue::from_serialize(vars)) {
            Ok(value) => Ok(value.is_true()),
            Err(e) if e.kind() == minijinja::ErrorKind::UndefinedError => {
                Err(undefined(expression.undeclared_variables(true), vars, &e))
            }
            Err(e) => Err(TemplateError::Failed(detail(&e))),
        }
    }
}

/// The error's own words, without minijinja's source listing.
fn detail(e: &minijinja::Error) -> String {
    let mut text = e.kind().to_string();
    if let Some(more) = e.detail() {
        text = format!("{text}: {more}");
    }
    if let Some(line) = e.line() {
        text = format!("{text} (line {line})");
    }
    text
}

/// Names the variable that is missing: the first used path `vars` lacks.
fn undefined(used: std::collections::HashSet<String>, vars: &Value, e: &minijinja::Error) -> TemplateError {
    let used: BTreeSet<String> = used.into_iter().collect();
    let missing = used.iter().find(|path| !resolves(vars, path)).cloned();
    TemplateError::Undefined(missing.unwrap_or_else(|| detail(e)))
}

/// Whether dotted `path` leads somewhere in `vars`, or stops at a value
/// that is not an object (an index or a method is not checked further).
fn resolves(vars: &Value, path: &str) -> bool {
    let mut at = vars;
    for part in path.split('.') {
        match at {
            Value::Object(map) => match map.get(part) {
                Some(next) => at = next,
                None => return false,
            },
            _ => return true,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> Value {
        json!({
            "trigger": { "text": "v1.2", "body": { "status": "failed", "items": [1, 2, 3] } },
            "steps": { "issue": { "output": { "html_url": "https://github.com/a/b/issues/1" } } },
            "user": { "name": "Ada", "language": "en", "timezone": "Europe/Paris" },
        })
    }

    #[test]
    fn templates_reach_the_trigger_the_steps_and_the_user() {
        let t = Templates::default();
        let text =
            t.render("Hi {{ user.name }}: {{ trigger.text }} -> {{ steps.issue.output.html_url }}", &vars());
        assert_eq!(text.unwrap(), "Hi Ada: v1.2 -> https://github.com/a/b/issues/1");
        assert_eq!(t.render("{{ trigger.body.items | length }}", &vars()).unwrap(), "3");
        assert!(t.holds("trigger.body.status == 'failed'", &vars()).unwrap());
        assert!(!t.holds("trigger.body.items | length > 5", &vars()).unwrap());
    }

    #[test]
    fn a_missing_variable_is_named() {
        let t = Templates::default();
        assert_eq!(
            t.render("{{ steps.issue.output.number }}", &vars()),
            Err(TemplateError::Undefined("steps.issue.output.number".into()))
        );
        assert_eq!(
            t.render("{{ steps.nope.output }}", &vars()),
            Err(TemplateError::Undefined("steps.nope.output".into()))
        );
        assert_eq!(
            t.holds("trigger.missing == 1", &vars()),
            Err(TemplateError::Undefined("trigger.missing".into()))
        );
    }

    #[test]
    fn bad_syntax_runaway_loops_and_huge_output_are_errors() {
        let t = Templates::default();
        assert!(matches!(t.check("{{ unclosed"), Err(TemplateError::Syntax(_))));
        assert!(matches!(t.check_expression("1 +"), Err(TemplateError::Syntax(_))));
        let runaway = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        assert!(matches!(t.render(runaway, &vars()), Err(TemplateError::Failed(_))));
        let huge = "{% for i in range(3000) %}0123456789{% endfor %}";
        assert_eq!(t.render(huge, &vars()), Err(TemplateError::TooLong));
    }
}
