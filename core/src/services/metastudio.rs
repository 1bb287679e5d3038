//! MetaStudio, `GET /v1/{project_id}/tenants/resources` (ListTenantResources):
//! its packages, one per resource. Pages of up to 100 (`limit` 1–100);
//! `count` is the total, a float in the SDK model (docs/huawei-apis.md §2.3).

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use super::read::{root, Obj};
use super::{read_pages, Loaded, PageAnswer};
use crate::api::ApiError;
use crate::domain::paging::{PagePlan, Progress};
use crate::domain::{Expiry, Instant, Package, Source, Status};
use crate::load::{Fetch, Session};
use crate::tx;

/// How it names its codes ([`super::Names`]).
pub const NAMES: super::Names = super::Names { table: label, prefixes: &["hws.resource.type.metastudio."], words_lead: "", lead: "" };

/// `resource_source` is required (400 without it); these are all its values.
pub const RESOURCE_SOURCES: &str = "PURCHASED,SP_ALLOCATED,ADMIN_ALLOCATED";

/// Pages of up to 100 (`limit` 1–100, API reference "Querying Tenant
/// Resources", docs/upstream/metastudio-*.txt), at most 100 of them.
pub const PAGES: PagePlan = PagePlan { limit: 100, max_pages: 100 };

/// Its next pages wait for its first ([`super::Chain`]).
pub const CHAIN: super::Chain = super::Chain::Paged;

/// Reads every page of the project's resources, of every source.
pub async fn load<N: Fetch>(net: &N, ctx: &Session, progress: impl FnMut(Progress)) -> Result<Loaded, ApiError> {
    let page = |offset: u64| async move {
        let (limit, offset) = (PAGES.limit.to_string(), offset.to_string());
        let query = [("resource_source", RESOURCE_SOURCES), ("limit", &limit), ("offset", &offset)];
        let answer = net.get(Route::MetastudioResources, &ctx.region, Some(&ctx.project_id), &query).await?;
        // Counted now, read once the next pages are asked.
        let (items, total) = counts(&answer.body)?;
        Ok(PageAnswer { packages: Vec::new(), items, unread: Some(resources), total, facts: None, answer })
    };
    read_pages(net, PAGES, page, progress).await
}

/// One page: its packages and the total the service reports.
pub fn page(body: &Value) -> Result<(Vec<Package>, Option<u64>), ApiError> {
    let (_, total) = counts(body)?;
    Ok((resources(body)?, total))
}

/// A page's resources, counted, and the total the service reports.
fn counts(body: &Value) -> Result<(usize, Option<u64>), ApiError> {
    let top = root(Service::Metastudio, body)?;
    let total = top.num(&["count"])?.filter(|c| *c >= 0.0).map(|c| c as u64);
    Ok((top.count(&["resources"])?, total))
}

/// A page's packages.
fn resources(body: &Value) -> Result<Vec<Package>, ApiError> {
    root(Service::Metastudio, body)?.list(&["resources"])?.iter().enumerate().map(|(i, r)| package(i, r)).collect()
}

fn package(index: usize, r: &Obj) -> Result<Package, ApiError> {
    let resource_type = r.text(&["resource_type"])?;
    // A sub-resource (seed 002: "describes the sub-resource's quantity and
    // unit"; Flexus packages only) is its own row, named by its type.
    let sub = r.flag(&["is_sub_resource"])?.unwrap_or(false);
    let sub_type = r.text(&["sub_resource_type"])?;
    let name = match (sub, &sub_type, &resource_type) {
        (true, Some(sub), _) => sub.clone(),
        (_, _, Some(t)) => t.clone(),
        _ => "MetaStudio resource".into(),
    };
    let id = r.text(&["resource_id"])?.unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Metastudio, id, name);
    let status = r.int(&["status"])?;
    p.raw_status = status.map(|s| s.to_string());
    // 0 normal, 1 frozen (SDK model_resource_item_info.go).
    p.status = match status {
        Some(0) => Status::Active,
        Some(1) => Status::Frozen,
        _ => Status::Unknown,
    };
    p.used = r.num(&["usage"])?;
    p.total = r.num(&["amount"])?;
    p.unit = r.text(&["unit"])?;
    p.category = r.text(&["business_type"])?;
    p.source = r.text(&["resource_source"])?.as_deref().map(Source::from_word);
    if sub {
        p.parent = resource_type;
    }
    p.billing_mode = r.text(&["charging_mode"])?;
    p.expiry = r.text(&["resource_expire_time"])?.as_deref().and_then(Instant::parse).map_or(Expiry::Unknown, Expiry::At);
    Ok(p)
}

/// The readable name (English, for [`t`] where it is shown) of a MetaStudio
/// business type (`business_type`, the table's Type column and the
/// Category filter). The codes are the enum of docs/huawei-apis.md §2.3
/// (ListTenantResources, SDK model); the document does not word them, so
/// the names say what each code names and the code stays beside them.
pub fn business_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "VOICE_CLONE" => tx("Voice cloning"),
        "SYNTHETICS_SOUND" => tx("Speech synthesis"),
        "ASSET_MANAGER" => tx("Asset management"),
        "MODELING_2D" => tx("2D modeling"),
        "LIVE_2D" => tx("2D livestreaming"),
        "VIDEO_2D" => tx("2D video"),
        "CHAT_2D" => tx("2D chat"),
        "BUSINESS_CARD_2D" => tx("2D business card"),
        "PICTURE_2D" => tx("2D picture"),
        "MODELING_3D" => tx("3D modeling"),
        "VDS_3D" => tx("3D video studio"),
        "TTSA_3D" => tx("3D text-to-speech animation"),
        "FLEXUS_2D" => tx("Flexus 2D"),
        _ => return None,
    })
}

/// The readable name (English, for [`t`] where it is shown) of a MetaStudio resource or sub-resource type, where
/// it is known (resource types: docs/huawei-apis.md §2.3 and seed 002;
/// sub-resource types: the Flexus ones the SDK model names).
pub fn label(code: &str) -> Option<&'static str> {
    Some(match code {
        "hws.resource.type.metastudio.avatarmodeling.number" => tx("Avatar modeling"),
        "hws.resource.type.metastudio.modeling.avatarlive.channel" => tx("Avatar livestream channel"),
        "hws.resource.type.metastudio.modeling.enterpriselivepackage" => tx("Enterprise livestream package"),
        "hws.resource.type.metastudio.live_2d.package" => tx("2D livestream package"),
        "hws.resource.type.metastudio.voiceclone.number" => tx("Voice cloning"),
        "hws.resource.type.metastudio.video.duration" => tx("Video synthesis time"),
        "hws.resource.type.metastudio.ttsc.words" => tx("Text to speech"),
        "hws.resource.type.metastudio.asset.storage" => tx("Asset storage"),
        "hws.resource.type.metastudio.flexus.package" => tx("Flexus package"),
        "Interaction.basic.channel" => tx("Basic interaction channel"),
        "hws.resource.type.metastudio.interaction.channel" => tx("Interaction channel"),
        "voice_clone_flexus" => tx("Flexus: voice cloning"),
        "modeling_count_2d_model_flexus" => tx("Flexus: 2D model modeling"),
        "video_time_flexus_2d_model" => tx("Flexus: 2D model video time"),
        _ => return None,
    })
}
