//! The first visit: what the console shows, how to get a token, and where
//! the token goes, until a tab is open.

use leptos::prelude::*;

use crate::api::{About, ApiError};
use crate::i18n::{t, tf, Lang};

/// Huawei Cloud's own page on obtaining an IAM user token, in the page's
/// language where Huawei Cloud has one (the Chinese page is the one
/// docs/huawei-apis.md cites; the international site has the English one).
fn token_guide(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "https://support.huaweicloud.com/api-iam/iam_30_0001.html",
        _ => "https://support.huaweicloud.com/intl/en-us/api-iam/iam_30_0001.html",
    }
}

/// Shown while no tab is open, above nothing else: what the console shows,
/// how to get a project-scoped token (with Huawei Cloud's page), and where
/// the token goes: only to the proxy at `proxy`, kept in memory only, and
/// from there to the hosts the proxy itself lists (or nowhere: its demo).
/// A proxy URL where no proxy answers is said here, before a token is
/// pasted.
#[component]
pub fn Welcome(
    /// The proxy's API base in force (Settings, else config.json, else `/api`).
    proxy: Signal<String>,
    /// What the proxy said of itself (`GET /api/about`); `None` while asked.
    about: Signal<Option<Result<About, ApiError>>>,
    /// The language.
    lang: Signal<Lang>,
) -> impl IntoView {
    view! {
        <section class="welcome" data-state="idle" aria-labelledby="welcome-title">
            {move || {
                let lang = lang.get();
                view! {
                    <h2 id="welcome-title">{t("Paste a token and press Inspect.")}</h2>
                    <div class="welcome-grid">
                        <div>
                            <h3>{t("What it shows")}</h3>
                            <p>{t("Every subscription package, quota and expiry date of a Huawei Cloud tenant in five services (CodeArts TestPlan, CodeArts Check, MetaStudio, Data Security Center and Host Security Service), what needs you first: what expires soon, what is frozen, what is used up.")}</p>
                        </div>
                        <div>
                            <h3>{t("The token")}</h3>
                            <p>{t("An IAM user token scoped to the project of the region to inspect: the X-Subject-Token header of the answer to POST /v3/auth/tokens with a project scope. It is valid for 24 hours.")}
                                " " <a href=token_guide(lang) target="_blank" rel="noopener noreferrer">{t("How to obtain one (Huawei Cloud)")}</a></p>
                        </div>
                        <div>
                            <h3>{t("Where it goes")}</h3>
                            <p>{t("Only to the proxy at")} " " <code class="welcome-proxy">{move || proxy.get()}</code>{t(", which relays the console's requests to Huawei Cloud's API hosts and nowhere else. It is kept in this page's memory only, unless you tick \"Remember in this tab\"; never in a URL, localStorage or an export.")}</p>
                        </div>
                    </div>
                    {move || about.get().map(relays)}
                }
            }}
        </section>
    }
}

/// What the proxy said of itself: the hosts it relays to, that it is the
/// demo, or that no proxy answers at the URL.
fn relays(about: Result<About, ApiError>) -> AnyView {
    match about {
        Ok(About { demo: true, version, .. }) => view! {
            <p class="welcome-relays" data-state="demo">
                {tf("This proxy (tenantscope-proxy {0}) runs the demo tenant: it answers every call itself, with made-up packages, and sends nothing to Huawei Cloud.", &[&version])}
            </p>
        }
        .into_any(),
        Ok(About { relays_to, version, .. }) => view! {
            <details class="welcome-relays" data-state="ready">
                <summary>{tf("tenantscope-proxy {0} relays only to these {1} Huawei Cloud hosts, as it reports them", &[&version, &relays_to.len()])}</summary>
                <ul class="welcome-hosts">{relays_to.into_iter().map(|host| view! { <li><code>{host}</code></li> }).collect_view()}</ul>
            </details>
        }
        .into_any(),
        Err(e @ (ApiError::Network { .. } | ApiError::NotAProxy { .. })) => view! {
            <div class="notice notice-warn welcome-relays" role="alert" data-state="error">
                <strong>{crate::format::error(&e)}</strong>
                " " {crate::format::hint(&e, None)}
            </div>
        }
        .into_any(),
        // A proxy from before the route, or a passing failure: the rest of
        // the page says enough.
        Err(_) => ().into_any(),
    }
}
