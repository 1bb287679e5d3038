//! What billing says, in words: a package's renewal policy and its date
//! ("renews automatically on 2026-12-20", "goes into its grace period on
//! …"), where its expiry date comes from, billing's status, and the one
//! note a tab shows while billing is read or when it could not be.

use crate::api::ApiError;
use crate::domain::{BillingStatus, ExpirySource, Instant, Package, Renewal};
use crate::i18n::{t, tf, tx};
use crate::services::bss::BillingState;

use super::local_date;

/// What happens at expiry, with its date when there is one, at `now`:
/// `renews automatically on 2026-12-20`, `is deleted on 2026-12-20`, or
/// once the date has passed `went into its grace period on 2026-12-02`;
/// `None` when billing did not say.
pub fn renewal(p: &Package, now: Instant) -> Option<String> {
    let policy = p.renewal()?;
    // Past its expiry (a grace or retention period), billing's date is the
    // deletion or freezing that comes next.
    if p.lifecycle.as_ref().is_some_and(crate::domain::Lifecycle::past_expiry) {
        let next = p.billed.and_then(|b| b.expires_at).filter(|at| *at > now);
        let pattern = match policy {
            Renewal::Delete | Renewal::DeleteAfterRetention => tx("is deleted on {0}"),
            _ => tx("is frozen on {0}"),
        };
        return Some(match next {
            Some(at) => tf(pattern, &[&local_date(at)]),
            None => renewal_word(policy).to_string(),
        });
    }
    Some(match p.expiry.instant() {
        Some(at) if at <= now => tf(renewal_past(policy), &[&local_date(at)]),
        Some(at) => tf(renewal_on(policy), &[&local_date(at)]),
        None => renewal_word(policy).to_string(),
    })
}

/// A policy in a few words, for filters, tables and exports' readers.
pub fn renewal_word(policy: Renewal) -> &'static str {
    match policy {
        Renewal::AutoRenew => t("renews automatically"),
        Renewal::GracePeriod => t("goes into its grace period"),
        Renewal::PayPerUse => t("turns pay-per-use"),
        Renewal::Delete => t("is deleted"),
        Renewal::Freeze => t("is frozen"),
        Renewal::DeleteAfterRetention => t("is deleted after its retention period"),
    }
}

/// The pattern for a policy with a date that has passed.
fn renewal_past(policy: Renewal) -> &'static str {
    match policy {
        Renewal::AutoRenew => tx("was due to renew automatically on {0}"),
        Renewal::GracePeriod => tx("went into its grace period on {0}"),
        Renewal::PayPerUse => tx("turned pay-per-use on {0}"),
        Renewal::Delete => tx("was due to be deleted on {0}"),
        Renewal::Freeze => tx("was due to be frozen on {0}"),
        Renewal::DeleteAfterRetention => tx("lapsed on {0}, deleted after its retention period"),
    }
}

/// The pattern for a policy with its date (`tx`: translated by `tf`).
fn renewal_on(policy: Renewal) -> &'static str {
    match policy {
        Renewal::AutoRenew => tx("renews automatically on {0}"),
        Renewal::GracePeriod => tx("goes into its grace period on {0}"),
        Renewal::PayPerUse => tx("turns pay-per-use on {0}"),
        Renewal::Delete => tx("is deleted on {0}"),
        Renewal::Freeze => tx("is frozen on {0}"),
        Renewal::DeleteAfterRetention => tx("lapses on {0}, deleted after its retention period"),
    }
}

/// Where the date comes from, when billing gave it (the service's own is
/// the default and goes unsaid), with the service's own date when the two
/// differ by more than a day: `from billing (the service says 2026-12-17)`.
pub fn expiry_source(p: &Package) -> Option<String> {
    if p.expires_from() != Some(ExpirySource::Billing) {
        return None;
    }
    Some(match p.billed.and_then(|b| b.service_date) {
        Some(own) => tf("Date from billing, which the urgency uses (the service says {0})", &[&local_date(own)]),
        None => t("Date from billing").to_string(),
    })
}

/// The host a quota is bound to, by its name, else its ID, else in words.
pub fn host(p: &Package) -> String {
    p.host.as_deref().or(p.host_id.as_deref()).map_or_else(|| t("a host the service does not name").to_string(), str::to_string)
}

/// Billing's status word.
pub fn billing_status(status: BillingStatus) -> String {
    match status {
        BillingStatus::Initialising => t("initialising").into(),
        BillingStatus::InUse => t("in use").into(),
        BillingStatus::Closed => t("closed").into(),
        BillingStatus::Frozen => t("frozen").into(),
        BillingStatus::Expired => t("expired").into(),
        BillingStatus::Freezing => t("freezing").into(),
        BillingStatus::Unfreezing => t("unfreezing").into(),
        BillingStatus::Closing => t("closing").into(),
        BillingStatus::Other(n) => tf("status {0}", &[&n]),
    }
}

/// The note about a tab's billing: while it is read, and when it could
/// not be (what is missing, why, and what would work; said beside the
/// tab's overview figures); nothing once read. `signed`: whether the tab
/// signs with access keys.
pub fn billing_note(state: &BillingState, signed: bool) -> Option<String> {
    match state {
        BillingState::Waiting => Some(t("Asking billing for the expiry dates and renewal policies of yearly/monthly packages…").into()),
        BillingState::Read(_) => None,
        BillingState::Stale(_, error) => Some(tf(
            "Billing is not up to date: its refresh failed ({0}); its dates and policies are the last it gave.",
            &[&super::short_error(error)],
        )),
        BillingState::Failed(error) => Some(tf(
            "Billing could not be read ({0}): the expiry dates it keeps (HSS yearly/monthly quotas, DSC orders) and whether packages renew by themselves are missing, not zero. {1}",
            &[&super::error(error), &billing_hint(error, signed)],
        )),
    }
}

/// Under "All tenants", the tabs whose billing could not be read (their
/// labels, each with why), said beside the overview's figures: their
/// packages are counted without billing's dates and policies.
pub fn billing_left_out(failed: &[(String, &ApiError)]) -> Option<String> {
    if failed.is_empty() {
        return None;
    }
    let tabs: Vec<String> = failed.iter().map(|(label, e)| format!("{label} ({})", super::short_error(e))).collect();
    Some(tf("Billing could not be read for {0}: the dates it keeps and whether packages renew by themselves are missing there, not zero.", &[&tabs.join(", ")]))
}

/// What would let billing be read.
fn billing_hint(error: &ApiError, signed: bool) -> String {
    match error {
        ApiError::Http { status: 401 | 403, .. } if signed => tf(
            "Billing needs the permission {0} for the user of these access keys: ask an administrator to grant it, then refresh.",
            &[&"billing:subscription:view"],
        ),
        // BSS is a global service: a token scoped to one region's project
        // may be refused where the account's access keys are accepted
        // (docs/huawei-apis.md §7).
        ApiError::Http { status: 401 | 403, .. } => tf(
            "Billing needs the permission {0}, and may refuse a token scoped to one project: sign in with the access keys of a user who has it.",
            &[&"billing:subscription:view"],
        ),
        other => super::hint(other, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Billed, Expiry};
    use tenantscope_catalog::Service;

    #[test]
    fn a_policy_reads_with_its_date() {
        let at = Instant::parse("2026-12-20T15:59:59Z").unwrap();
        let billed = |renewal| Package {
            expiry: Expiry::At(at),
            billed: Some(Billed { expires_at: Some(at), renewal: Some(renewal), status: None, service_date: None }),
            ..Package::new(Service::Hss, "q", "n")
        };
        let before = at.plus_days(-3);
        assert_eq!(renewal(&billed(Renewal::AutoRenew), before).unwrap(), "renews automatically on 2026-12-20");
        assert_eq!(renewal(&billed(Renewal::GracePeriod), before).unwrap(), "goes into its grace period on 2026-12-20");
        assert_eq!(renewal(&billed(Renewal::PayPerUse), before).unwrap(), "turns pay-per-use on 2026-12-20");
        assert_eq!(renewal(&billed(Renewal::Delete), before).unwrap(), "is deleted on 2026-12-20");
        assert_eq!(
            renewal(&billed(Renewal::GracePeriod), at.plus_days(4)).unwrap(),
            "went into its grace period on 2026-12-20",
            "a date past is said in the past"
        );
        assert_eq!(renewal(&Package::new(Service::Hss, "q", "n"), before), None, "no word where billing gave none");
        // In its grace period, billing's date is its deletion.
        let grace = Package { expiry: Expiry::Unknown, lifecycle: Some(crate::domain::Lifecycle::Grace), ..billed(Renewal::DeleteAfterRetention) };
        assert_eq!(renewal(&grace, before).unwrap(), "is deleted on 2026-12-20");
        assert_eq!(expiry_source(&billed(Renewal::Delete)).unwrap(), "Date from billing");
        let mut both = billed(Renewal::Delete);
        both.billed = Some(Billed { service_date: Some(Instant::parse("2026-12-17T00:00:00Z").unwrap()), ..both.billed.unwrap() });
        assert_eq!(expiry_source(&both).unwrap(), "Date from billing, which the urgency uses (the service says 2026-12-17)");
        let own = Package { expiry: Expiry::At(at), ..Package::new(Service::Hss, "q", "n") };
        assert_eq!(expiry_source(&own), None, "the service's own date goes unsaid");
    }

    #[test]
    fn a_yearly_monthly_package_without_a_date_says_whether_billing_was_asked() {
        let quota = Package { billing_mode: Some("packet_cycle".into()), ..Package::new(Service::Hss, "q", "n") };
        assert_eq!(super::super::no_date_why(&quota), Some("yearly/monthly: the date is kept by billing"));
        let unknown = Package { billed: Some(Billed::default()), ..quota };
        assert_eq!(super::super::no_date_why(&unknown), Some("yearly/monthly: billing has no record of it either"));
    }

    #[test]
    fn a_failed_billing_says_what_is_missing_and_what_works() {
        let refused = ApiError::Http {
            status: 403,
            error_code: Some("CBC.0151".into()),
            error_msg: Some("Access denied. The correct permission code is billing:subscription:view".into()),
            request_id: None,
        };
        let token = billing_note(&BillingState::Failed(refused.clone()), false).unwrap();
        assert!(token.contains("billing:subscription:view") && token.contains("access keys") && token.contains("missing, not zero"), "{token}");
        let keys = billing_note(&BillingState::Failed(refused), true).unwrap();
        assert!(keys.contains("grant it"), "{keys}");
        assert!(billing_note(&BillingState::Waiting, false).is_some());
        assert_eq!(billing_note(&BillingState::Read(Default::default()), false), None);
        let outage = ApiError::Http { status: 503, error_code: None, error_msg: None, request_id: None };
        let stale = billing_note(&BillingState::Stale(Default::default(), outage), false).unwrap();
        assert!(stale.starts_with("Billing is not up to date: its refresh failed (") && stale.contains("last it gave"), "{stale}");
        let outage = ApiError::Http { status: 503, error_code: None, error_msg: None, request_id: None };
        let line = billing_left_out(&[("2. northwind · cn-east-3".into(), &outage)]).unwrap();
        assert!(line.starts_with("Billing could not be read for 2. northwind · cn-east-3 (") && line.contains("not zero"), "{line}");
        assert_eq!(billing_left_out(&[]), None);
    }
}
