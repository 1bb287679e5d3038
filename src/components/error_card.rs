use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::format;
use crate::i18n::t;

/// A failure shown in place of a panel's content: what happened (status,
/// error code, message, request ID) and what to do about it.
#[component]
pub fn ErrorCard(
    /// The failure.
    error: ApiError,
    /// What failed, e.g. the service name.
    title: String,
    /// The service that failed, for a hint naming its permission.
    service: Option<Service>,
) -> impl IntoView {
    let request_id = match &error {
        ApiError::Http { request_id: Some(id), .. } => Some(id.clone()),
        _ => None,
    };
    view! {
        <div class="error-card" role="alert" data-state="error">
            <p class="error-title"><span class="badge badge-bad">{t("Error")}</span> " " {title}</p>
            <p class="error-detail">{error.to_string()}</p>
            <p class="error-hint">{format::hint(&error, service)}</p>
            {request_id.map(|id| view! { <p class="error-rid">{t("Request ID")} " " <code>{id}</code></p> })}
        </div>
    }
}
