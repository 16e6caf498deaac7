//! Every integration test in one binary, a module per feature: the AWS SDK
//! and the local runner are linked once instead of once per file. Each test
//! still runs in its own process under nextest (`bash infra/test.sh`); filter
//! a feature with `-E 'test(/^tasks::/)'`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod admin;
mod ai_providers;
mod approvals;
mod assistant;
mod builder;
mod connect;
mod events;
mod guard;
mod hardening;
mod hooks;
mod http_step;
mod jobs;
mod migrations;
mod real_updates;
mod reminders;
mod round_trips;
mod schedules;
mod store_contract;
mod tasks;
mod telegram_adapter;
mod webhook;
mod workflows;
