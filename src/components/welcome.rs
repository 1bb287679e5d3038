//! The first visit: what the console shows, how to get a token, and where
//! the token goes, until a tab is open.

use leptos::prelude::*;

use crate::i18n::{t, Lang};

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
/// the token goes: only to the proxy at `proxy`, kept in memory only.
#[component]
pub fn Welcome(
    /// The proxy's API base in force (Settings, else config.json, else `/api`).
    proxy: Signal<String>,
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
                }
            }}
        </section>
    }
}
