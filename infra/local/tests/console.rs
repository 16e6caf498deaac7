//! The console as a person uses it: lines typed on stdin, answers on stdout.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::{
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

fn console(data_dir: &Path, lang: &str, input: &str) -> String {
    console_with(data_dir, &["--lang", lang], input)
}

fn console_with(data_dir: &Path, options: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linklet"))
        .args(["--data-dir", data_dir.to_str().unwrap(), "console"])
        .args(options)
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_person_chats_and_taps_buttons_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let screen = console(dir.path(), "en", "/start\n/settings\n1\n2\n");

    assert!(screen.contains("embedded store"), "{screen}");
    assert!(screen.contains("bot › 👋 Hi Ada!"), "{screen}");
    assert!(screen.contains("[1] 🌐 Language   [2] 🕒 Time zone"), "{screen}");
    assert!(screen.contains("(you tapped 🌐 Language)"), "{screen}");
    assert!(screen.contains("[1] English   [2] Français"), "{screen}");
    assert!(screen.contains("(✅ Langue réglée sur Français.)"), "{screen}");
    assert!(screen.contains("Bye!"));
}

#[test]
fn settings_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    console(dir.path(), "en", "/settings timezone Asia/Tokyo\n/settings language fr\n");
    let screen = console(dir.path(), "en", "/profile\n");

    assert!(screen.contains("Fuseau horaire : Asia/Tokyo"), "{screen}");
    assert!(screen.contains("Langue : Français (choisie dans /settings)"), "{screen}");
}

#[test]
fn html_is_shown_as_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let screen = console(dir.path(), "en", "/x<b>\n");
    assert!(screen.contains("I only understand commands for now"), "{screen}");
    assert!(!screen.contains("<code>") && !screen.contains("&lt;"), "{screen}");
}

#[test]
fn the_console_speaks_french_with_lang_fr() {
    // Issue 10: the console's own lines and the fake AI follow --lang fr.
    let dir = tempfile::tempdir().unwrap();
    let screen = console_with(dir.path(), &["--lang", "fr", "--fake-ai"], "/start\n1\nbonjour\n/sweep\n");

    assert!(screen.contains("Console Linklet (embedded store"), "{screen}");
    assert!(screen.contains("L'assistant répond avec la fausse IA fournie"), "{screen}");
    assert!(screen.contains("(vous avez appuyé sur Paris)"), "{screen}");
    assert!(screen.contains("bot (modifié) › ✅ Fuseau horaire réglé sur Europe/Paris"), "{screen}");
    assert!(screen.contains("(tournée des rappels : 0 dus, 0 envoyés)"), "{screen}");
    assert!(screen.contains("Au revoir !"), "{screen}");
    assert!(!screen.contains("you tapped") && !screen.contains("Bye!"), "{screen}");
}

#[test]
fn a_shared_location_sets_the_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let screen = console(dir.path(), "en", "/start\n/location 35.68, 139.69\n/location nowhere\n/profile\n");
    assert!(screen.contains("✅ Time zone set to Asia/Tokyo"), "{screen}");
    assert!(screen.contains("(share a place as /location <latitude> <longitude>"), "{screen}");
    assert!(screen.contains("Time zone: Asia/Tokyo"), "{screen}");
}
