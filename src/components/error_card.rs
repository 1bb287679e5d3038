use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::format;
use crate::i18n::t;

/// A failure shown in place of a panel's content: what happened (status,
/// error code, message, request ID, the answer when a service said it
/// failed) and what to do about it.
#[component]
pub fn ErrorCard(
    /// The failure.
    error: ApiError,
    /// What failed, e.g. the service name.
    title: String,
    /// The service that failed, for a hint naming its permission.
    service: Option<Service>,
    /// Whether the call was signed with access keys (its hints differ).
    #[prop(optional)]
    signed: bool,
) -> impl IntoView {
    let request_id = match &error {
        ApiError::Http { request_id: Some(id), .. } => Some(id.clone()),
        _ => None,
    };
    // A service that said "failed" in a successful answer: the answer is
    // all there is to go on, so it is shown.
    let body = match &error {
        ApiError::Failed { body, .. } if !body.is_empty() => Some(format::pretty_json(body)),
        _ => None,
    };
    view! {
        <div class="error-card" role="alert" data-state="error">
            <p class="error-title"><span class="badge badge-bad">{t("Error")}</span> " " {title}</p>
            <p class="error-detail">{format::error(&error)}</p>
            <p class="error-hint">{super::hint(&error, service, signed)}</p>
            {request_id.map(|id| view! { <p class="error-rid">{t("Request ID")} " " <code>{id}</code></p> })}
            {body.map(|body| view! { <pre class="error-body">{body}</pre> })}
        </div>
    }
}
