//! tenantscope: a browser console for Huawei Cloud tenants. Paste an IAM
//! token and see every subscription package, quota and expiry date across
//! CodeArts TestPlan, CodeArts Check, MetaStudio, Data Security Center and
//! Host Security Service, fetched through tenantscope-proxy.
//!
//! What Huawei Cloud and its packages are lives in [`tenantscope_core`]
//! (re-exported here under its own module names); this crate is the
//! browser's face of it: the calls through the proxy ([`net`]), the words
//! ([`i18n`], [`format`]), the markup ([`render`]), the settings and the
//! views ([`components`]). `main.rs` only mounts [`components::App`];
//! everything lives here so that native tests reach the logic.
//! `tests/layers.rs` fails on an import that points back up the layers.

pub use tenantscope_core::{api, domain, export, history, load, services, session, tenant};

pub mod components;
pub mod deployment;
pub mod download;
pub mod format;
pub mod i18n;
pub mod net;
pub mod render;
pub mod settings;
pub mod store;
