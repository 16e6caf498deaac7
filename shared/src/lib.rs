//! Linklet's library. Dependencies point one way (checked by `layers.rs`):
//! `domain` (types and rules, no I/O) <- `ports` (the traits the use cases
//! need) <- `services` (the use cases) <- `bot` (the dispatcher, the one
//! router, a handler per feature) <- `http` and `app` (the entry points);
//! `presentation` renders what the user reads and taps, `adapters` implement
//! the ports, `config` reads the environment.
//!
//! Every entry point (the webhook Lambda, the local HTTP server, the console and
//! long polling) builds a [`bot::Dispatcher`] through `app::deps` and feeds it updates.

pub mod adapters;
pub mod app;
pub mod bot;
pub mod callback;
pub mod config;
pub mod domain;
pub mod emf;
pub mod http;
#[cfg(test)]
mod layers;
pub mod ports;
pub mod presentation;
pub mod services;
pub mod telemetry;
pub mod vault;
