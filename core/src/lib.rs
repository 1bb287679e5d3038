//! tenantscope-core: what tenantscope knows of Huawei Cloud tenants, with
//! no browser in it. The console (the `tenantscope` app crate), the command
//! line and the exporter (`tenantscope-cli`) are its faces: each supplies a
//! [`load::Fetch`] (how a call is sent) and its own words.
//!
//! The layers point one way, each using only those before it:
//! [`domain`] (packages, time, urgency, paging, figures) → [`api`]
//! (credentials, requests, typed errors) → [`load`] (the [`load::Fetch`] a
//! face supplies, the resolved [`load::Session`]) → [`services`] (each
//! service's query, pages and reader; billing; what a reading holds) →
//! [`session`] (resolving a connection, discovering, loading a service) →
//! [`tenant`] (a whole tenant read at once: every service, then billing) →
//! [`export`] (JSON, CSV, calendar).
//! `tests/layers.rs` fails on an import that points back.
//! Wording stays out: values are typed, and English names of codes are
//! marked with [`tx`] for the faces to translate.

pub mod api;
pub mod domain;
pub mod export;
pub mod history;
pub mod load;
pub mod services;
pub mod session;
pub mod tenant;

/// Marks an English text a face translates (the app's i18n scanner finds
/// every call of it with a literal); it is the text itself.
pub const fn tx(en: &'static str) -> &'static str {
    en
}
