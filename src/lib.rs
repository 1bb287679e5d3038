//! tenantscope: a browser console for Huawei Cloud tenants. Paste an IAM
//! token and see every subscription package, quota and expiry date across
//! CodeArts TestPlan, CodeArts Check, MetaStudio, Data Security Center and
//! Host Security Service, fetched through tenantscope-proxy.
//!
//! `main.rs` only mounts [`components::App`]; everything lives here so that
//! native tests reach the logic.

pub mod api;
pub mod components;
pub mod deployment;
pub mod domain;
pub mod download;
pub mod export;
pub mod format;
pub mod i18n;
pub mod render;
pub mod services;
pub mod session;
pub mod settings;
