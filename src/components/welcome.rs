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
    /// The region the form starts with, for the commands that print a token.
    region: Signal<String>,
    /// Whether the sign-in shows access keys (whose form has its own help).
    with_keys: Signal<bool>,
) -> impl IntoView {
    view! {
        <section class="welcome" data-state="idle" aria-labelledby="welcome-title">
            {move || {
                let lang = lang.get();
                let keys = with_keys.get();
                view! {
                    <h2 id="welcome-title">{if keys { t("Enter access keys and press Inspect all regions.") } else { t("Paste a token and press Inspect.") }}</h2>
                    // Text, not elements: each element costs the first page
                    // load code of its own.
                    <div class="welcome-grid" inner_html=grid(lang, keys, &proxy.get(), &region.get())></div>
                    {move || about.get().map(relays)}
                }
            }}
        </section>
    }
}

/// The first visit's three blocks, as HTML: what the console shows; what
/// a token is, where to get one (Huawei Cloud's page, and [`commands`] that
/// print one, folded), and that a token opens one region while access keys
/// open every project; and where the token goes. With access keys, only the
/// first: their form has its own help.
fn grid(lang: Lang, keys: bool, proxy: &str, region: &str) -> String {
    use crate::render::escape;
    let shows = format!(
        "<div><h3>{}</h3><p>{}</p></div>",
        escape(t("What it shows")),
        escape(t("Every subscription package, quota and expiry date of a Huawei Cloud tenant in five services (CodeArts TestPlan, CodeArts Check, MetaStudio, Data Security Center and Host Security Service), what needs you first: what expires soon, what is frozen, what is used up."))
    );
    if keys {
        return shows;
    }
    format!(
        "{shows}<div><h3>{}</h3><p>{} <a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a></p><p>{}</p>\
         <details class=\"welcome-commands\"><summary>{}</summary><code>{}</code></details></div>\
         <div><h3>{}</h3><p>{} <code class=\"welcome-proxy\">{}</code>{}</p></div>",
        escape(t("The token")),
        escape(t("An IAM user token scoped to the project of the region to inspect: the X-Subject-Token header of the answer to POST /v3/auth/tokens with a project scope. It is valid for 24 hours.")),
        token_guide(lang),
        escape(t("How to obtain one (Huawei Cloud)")),
        escape(t("A token opens one region. For several, temporary access keys (Access keys, above) open every project of the account, one tab each.")),
        escape(t("Commands that print a token")),
        escape(&commands(region)),
        escape(t("Where it goes")),
        escape(t("Only to the proxy at")),
        escape(proxy),
        escape(t(", which relays the console's requests to Huawei Cloud's API hosts and nowhere else. It is kept in this page's memory only, unless you tick \"Remember in this tab\"; never in a URL, localStorage or an export."))
    )
}

/// Commands that print a project-scoped token for `region` (curl against
/// the region's IAM, and KooCLI's `KeystoneCreateUserTokenByPassword`,
/// Huawei Cloud's KooCLI guide "Obtaining a Token"), the person's names and
/// password in capitals to replace.
fn commands(region: &str) -> String {
    // The region's IAM host (the catalogue's rule, written out here: its
    // host tables would cost the first page load more than this line).
    let domain = if region.starts_with("eu-") { "eu" } else { "com" };
    format!(
            "curl -si -X POST https://iam.{region}.myhuaweicloud.{domain}/v3/auth/tokens \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"auth\":{{\"identity\":{{\"methods\":[\"password\"],\"password\":{{\"user\":{{\"name\":\"IAM_USER\",\"password\":\"PASSWORD\",\"domain\":{{\"name\":\"ACCOUNT\"}}}}}}}},\"scope\":{{\"project\":{{\"name\":\"{region}\"}}}}}}}}' \\\n  | grep -i '^x-subject-token:' | cut -d' ' -f2 | tr -d '\\r'\n\n\
hcloud IAM KeystoneCreateUserTokenByPassword --cli-region={region} \\\n  --auth.identity.methods.1=password --auth.identity.password.user.domain.name=ACCOUNT \\\n  --auth.identity.password.user.name=IAM_USER --auth.identity.password.user.password=PASSWORD \\\n  --auth.scope.project.name={region} --cli-output=tsv --cli-query=\"response_header.X-Subject-Token[0]\""
    )
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
                <summary>{if relays_to.len() == 1 {
                    tf("tenantscope-proxy {0} relays only to this Huawei Cloud host, as it reports it", &[&version])
                } else {
                    tf("tenantscope-proxy {0} relays only to these {1} Huawei Cloud hosts, as it reports them", &[&version, &relays_to.len()])
                }}</summary>
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
