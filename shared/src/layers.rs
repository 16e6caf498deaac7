//! Dependencies point one way: domain <- ports <- services <- bot <- http/app.
//! This test reads the crate's own sources and fails when a module imports
//! one it must not (a service importing the bot, configuration importing a
//! service...). Paths are read from `use crate::…` trees and `crate::…` in code;
//! comments are skipped.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Each layer, and the top-level modules of the crate it may use besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("config", &["domain"]),
    ("vault", &["domain"]),
    ("emf", &[]),
    ("telemetry", &[]),
    ("ports", &["domain", "vault"]),
    ("callback", &["domain"]),
    ("presentation", &["domain", "ports", "callback"]),
    ("services", &["domain", "ports", "config", "presentation", "callback", "vault", "telemetry", "emf"]),
    (
        "bot",
        &["domain", "ports", "services", "config", "presentation", "callback", "vault", "telemetry", "emf"],
    ),
];

/// The top-level module a source file belongs to (`services/jobs.rs` is `services`).
fn layer_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_owned())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without `//` comments (doc links are not dependencies) and
/// without its test module (a test may use an adapter as a fixture).
fn code_of(source: &str) -> String {
    let source = source.find("#[cfg(test)]\nmod tests").map_or(source, |at| &source[..at]);
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate's top-level modules that `code` names: `crate::a::…` and the
/// first names inside `crate::{a::…, b, c::{…}}`.
pub fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group, skipping nested braces.
            let (mut depth, mut name, mut expect_name) = (0, String::new(), true);
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expect_name = true,
                    c if depth == 0 && expect_name && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ if depth == 0 && expect_name && !name.is_empty() => {
                        found.insert(std::mem::take(&mut name));
                        expect_name = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Every import that breaks [`ALLOWED`], as `file: module`.
pub fn violations(src: &Path) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(layer) = layer_of(src, &file) else { continue };
        let Some(may_use) = allowed.get(layer.as_str()) else { continue };
        if file.file_name().is_some_and(|name| name == "layers.rs") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).unwrap_or_default());
        for module in crate_modules(&code) {
            if module != layer && !may_use.contains(&module.as_str()) {
                out.push(format!("{}: {layer} uses {module}", file.display()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_point_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let found = violations(&src);
        assert!(found.is_empty(), "imports against the layers:\n{}", found.join("\n"));
    }

    #[test]
    fn grouped_and_plain_paths_are_read() {
        let code =
            "use crate::{bot::Deps, domain::{task::Task, User}, i18n};\nlet x = crate::services::run();";
        let names: Vec<String> = crate_modules(code).into_iter().collect();
        assert_eq!(names, ["bot", "domain", "i18n", "services"]);
        assert!(crate_modules(&code_of("// see [`crate::bot::Deps`]\nuse x;")).is_empty());
    }
}
