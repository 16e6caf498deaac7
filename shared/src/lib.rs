//! Linklet's library: the domain, the ports, the services, the adapters and the bot's router.
//!
//! Every entry point (the webhook Lambda, the local HTTP server, the console and
//! long polling) builds a [`bot::Dispatcher`] and feeds it updates.

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
