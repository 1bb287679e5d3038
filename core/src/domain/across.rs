//! Every package counted once across tabs. Several tabs can read the same
//! package: an account-wide answer (CodeArts TestPlan and Check answer per
//! tenant, wherever they are asked) or one repeated by a subproject of the
//! same region (HSS, MetaStudio). Everything that puts the tabs together
//! (the overview, the tables across tabs, the exports and the calendar)
//! counts a package by its key, (service, resource id, account), once,
//! keeping the first tab's copy and naming every tab it was seen in.
//!
//! This module owns that key (what an account is, which ids are the
//! service's own), the merge, the owners (each distinct list of tabs that saw
//! packages) and how such a list is named in one line.

use std::collections::HashMap;

use tenantscope_catalog::Service;

use super::package::Package;

/// Whose packages a tab reads, as far as the page can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Account {
    /// A token's IAM domain (account) name.
    Domain(String),
    /// Access keys: every tab of one sign-in (one region project each) is
    /// one account, known by a hash of the keys' access key ID (so that not
    /// even a debug print holds the ID): never shown, never exported.
    Keys(u64),
    /// Not known (a token IAM did not describe): its packages are never
    /// merged with another tab's.
    Unknown,
}

impl Account {
    /// The account of a tab that signs with the access key `key_id`, else
    /// of a token of the IAM domain `domain`.
    pub fn of(key_id: Option<&str>, domain: Option<&str>) -> Account {
        match (key_id, domain) {
            (Some(id), _) if !id.is_empty() => {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                id.hash(&mut hasher);
                Account::Keys(hasher.finish())
            }
            (_, Some(name)) if !name.is_empty() => Account::Domain(name.to_string()),
            _ => Account::Unknown,
        }
    }
}

/// The resource id the service gave the package; `None` for a stand-in:
/// where the service gives none, the services name the package
/// `{name}#{place in the answer}`, which two different packages of two
/// pages (or two tabs) can share, so it is never a key.
pub fn resource_id(p: &Package) -> Option<&str> {
    let stand_in = p.id.strip_prefix(p.name.as_str()).is_some_and(|rest| rest.starts_with('#'));
    (!stand_in && !p.id.is_empty()).then_some(p.id.as_str())
}

/// One package as counted across tabs: the copy of the first tab that read
/// it, and every tab it was seen in, in tab order.
#[derive(Clone, Debug, PartialEq)]
pub struct Unique<'a> {
    pub package: &'a Package,
    pub seen_in: Vec<usize>,
}

/// Whose a package is, for the key: an unknown account is its tab's alone.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Whose<'a> {
    Account(&'a Account),
    Tab(usize),
}

/// The packages of `lists` ((tab, its account, packages read), in tab
/// order), each counted once by (service, resource id, account): the first
/// copy is kept, in the order first seen, and names every tab that read it.
/// A package with no resource id of its own is always counted.
pub fn merge<'a>(lists: impl IntoIterator<Item = (usize, &'a Account, &'a [Package])>) -> Vec<Unique<'a>> {
    let mut out: Vec<Unique<'a>> = Vec::new();
    let mut first: HashMap<(Service, &'a str, &'a str, Whose<'a>), usize> = HashMap::new();
    for (tab, account, packages) in lists {
        for package in packages {
            let Some(id) = resource_id(package) else {
                out.push(Unique { package, seen_in: vec![tab] });
                continue;
            };
            let whose = match account {
                Account::Unknown => Whose::Tab(tab),
                known => Whose::Account(known),
            };
            // The name too: a package and its sub-resources (MetaStudio's
            // Flexus) share a resource id, and are rows of their own.
            match first.get(&(package.service, id, package.name.as_str(), whose)) {
                // Kept in tab order, whatever order the lists come in.
                Some(&n) => {
                    // A later tab's copy with billing's word beats one
                    // without (that tab's billing failed, or is still read).
                    let knows = |p: &Package| p.billed.is_some_and(|b| b.known());
                    if !knows(out[n].package) && knows(package) {
                        out[n].package = package;
                    }
                    let seen_in = &mut out[n].seen_in;
                    if let Err(at) = seen_in.binary_search(&tab) {
                        seen_in.insert(at, tab);
                    }
                }
                None => {
                    first.insert((package.service, id, package.name.as_str(), whose), out.len());
                    out.push(Unique { package, seen_in: vec![tab] });
                }
            }
        }
    }
    out
}

/// The owners of merged packages: each distinct list of tabs that saw
/// packages, once, ordered by its tabs (by the first, then the next: `[1]`,
/// `[1, 3]`, `[2]`), and which is each package's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Owners {
    /// By package: its owner's index in `seen_in`.
    pub of: Vec<usize>,
    /// By owner: the tabs, in tab order.
    pub seen_in: Vec<Vec<usize>>,
}

impl Owners {
    /// The owners of `uniques`, as [`merge`] made them.
    pub fn of(uniques: &[Unique]) -> Owners {
        let mut seen_in: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<&[usize], usize> = HashMap::new();
        let of: Vec<usize> = uniques
            .iter()
            .map(|u| {
                *index.entry(u.seen_in.as_slice()).or_insert_with(|| {
                    seen_in.push(u.seen_in.clone());
                    seen_in.len() - 1
                })
            })
            .collect();
        // Fixed-width numbers compare as the lists do.
        let order = super::order(seen_in.iter().map(|tabs| (0, tabs.iter().map(|t| format!("{t:08x}")).collect())).collect());
        let mut rank = vec![0; seen_in.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old] = new;
        }
        let mut slots: Vec<Option<Vec<usize>>> = seen_in.into_iter().map(Some).collect();
        Owners {
            of: of.into_iter().map(|o| rank[o]).collect(),
            seen_in: order.into_iter().filter_map(|old| slots.get_mut(old).and_then(Option::take)).collect(),
        }
    }
}

/// Between the names of the tabs a package was seen in, in one line.
pub const SEPARATOR: &str = ", ";

/// The tabs `seen_in` named in one line by their `labels` (by tab, as the
/// tab bar names them: "1. alice · cn-north-4, 3. alice · cn-east-3").
pub fn names(seen_in: &[usize], labels: &[String]) -> String {
    let named: Vec<&str> = seen_in.iter().filter_map(|&t| labels.get(t)).map(String::as_str).collect();
    named.join(SEPARATOR)
}

/// The tabs' numbers of a line of [`names`], as a phone shows the tenant
/// column: "1., 3.".
pub fn numbers(names: &str) -> String {
    let numbered = names
        .split(SEPARATOR)
        .filter_map(|name| name.split_once(' ').map(|(n, _)| n))
        .filter(|n| n.strip_suffix('.').is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())));
    numbered.collect::<Vec<_>>().join(SEPARATOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(service: Service, id: &str, name: &str) -> Package {
        Package::new(service, id, name)
    }

    fn ids<'a>(uniques: &'a [Unique<'a>]) -> Vec<(&'a str, Vec<usize>)> {
        uniques.iter().map(|u| (u.package.id.as_str(), u.seen_in.clone())).collect()
    }

    #[test]
    fn a_tabs_account_is_its_keys_else_its_domain() {
        assert_eq!(Account::of(Some("AK1"), Some("acme")), Account::of(Some("AK1"), None));
        assert!(matches!(Account::of(Some("AK1"), None), Account::Keys(_)));
        assert_ne!(Account::of(Some("AK1"), None), Account::of(Some("AK2"), None));
        assert!(!format!("{:?}", Account::of(Some("AKSECRETLOOKING1"), None)).contains("AKSECRETLOOKING1"), "the key ID in no print");
        assert_eq!(Account::of(None, Some("acme")), Account::Domain("acme".into()));
        assert_eq!(Account::of(None, None), Account::Unknown);
        assert_eq!(Account::of(Some(""), Some("")), Account::Unknown);
    }

    #[test]
    fn a_package_read_by_several_tabs_of_one_account_is_counted_once() {
        let acme = Account::of(None, Some("acme"));
        // TestPlan answers per tenant: both tabs read the same two packages;
        // HSS is per region: each tab has its own, and one repeated.
        let north = [package(Service::Testplan, "t1", "pro"), package(Service::Testplan, "t2", "echo"), package(Service::Hss, "h1", "basic")];
        let mut east = [
            package(Service::Testplan, "t2", "echo"),
            package(Service::Testplan, "t1", "pro"),
            package(Service::Hss, "h2", "basic"),
            package(Service::Hss, "h1", "basic"),
        ];
        east[1].used = Some(7.0);
        let merged = merge([(0, &acme, &north[..]), (1, &acme, &east[..])]);
        assert_eq!(ids(&merged), [("t1", vec![0, 1]), ("t2", vec![0, 1]), ("h1", vec![0, 1]), ("h2", vec![1])]);
        assert_eq!(merged[0].package.used, None, "the first tab's copy");
        // A package and its sub-resource share an id: two rows, each counted once.
        let sub = [Package { name: "voice".into(), ..north[0].clone() }];
        assert_eq!(merge([(0, &acme, &north[..1]), (0, &acme, &sub[..]), (1, &acme, &sub[..])]).len(), 2);
        // A later tab's copy with billing's word is kept over one without.
        let billed = Package {
            billed: Some(crate::domain::Billed { expires_at: None, renewal: Some(crate::domain::Renewal::AutoRenew), status: None, service_date: None }),
            ..north[0].clone()
        };
        let later = [billed];
        let merged = merge([(0, &acme, &north[..1]), (1, &acme, &later[..])]);
        assert_eq!((merged.len(), merged[0].package.renews(), merged[0].seen_in.clone()), (1, true, vec![0, 1]));
        // The same id in another service is another package.
        let dsc = [package(Service::Dsc, "t1", "pro")];
        assert_eq!(merge([(0, &acme, &north[..1]), (1, &acme, &dsc[..])]).len(), 2);
    }

    #[test]
    fn another_account_or_an_unknown_one_is_never_merged() {
        let (acme, other, keys) = (Account::of(None, Some("acme")), Account::of(None, Some("other")), Account::of(Some("AK1"), None));
        let list = [package(Service::Testplan, "t1", "pro")];
        assert_eq!(merge([(0, &acme, &list[..]), (1, &other, &list[..]), (2, &keys, &list[..])]).len(), 3);
        // Every tab of one sign-in is one account.
        assert_eq!(ids(&merge([(0, &keys, &list[..]), (1, &keys, &list[..])])), [("t1", vec![0, 1])]);
        // Unknown: two tabs are two accounts, but one tab repeating itself is one.
        let unknown = Account::Unknown;
        assert_eq!(merge([(0, &unknown, &list[..]), (1, &unknown, &list[..])]).len(), 2);
        assert_eq!(ids(&merge([(0, &unknown, &list[..]), (0, &unknown, &list[..])])), [("t1", vec![0])]);
    }

    #[test]
    fn a_stand_in_id_is_never_a_key() {
        let acme = Account::of(None, Some("acme"));
        // The services' stand-in for a missing id, on two pages or tabs.
        let a = [package(Service::Hss, "hss.version.basic#0", "hss.version.basic")];
        let b = [package(Service::Hss, "hss.version.basic#0", "hss.version.basic")];
        assert_eq!(merge([(0, &acme, &a[..]), (1, &acme, &b[..])]).len(), 2);
        assert_eq!(resource_id(&a[0]), None);
        assert_eq!(resource_id(&package(Service::Codecheck, "x#main0", "x")), None);
        // A DSC order split in parts keeps its own id with the part.
        assert_eq!(resource_id(&package(Service::Dsc, "ord-1#2", "dsc.base")), Some("ord-1#2"));
        assert_eq!(resource_id(&package(Service::Dsc, "", "dsc.base")), None);
    }

    #[test]
    fn owners_are_the_distinct_lists_of_tabs_in_tab_order() {
        let acme = Account::of(None, Some("acme"));
        let one = [package(Service::Hss, "a", "x"), package(Service::Hss, "b", "x")];
        let three = [package(Service::Hss, "b", "x"), package(Service::Hss, "c", "x")];
        let two = [package(Service::Hss, "d", "x")];
        // Given out of order: tab 3's list before tab 2's.
        let merged = merge([(1, &acme, &one[..]), (3, &acme, &three[..]), (2, &acme, &two[..])]);
        let owners = Owners::of(&merged);
        assert_eq!(owners.seen_in, [vec![1], vec![1, 3], vec![2], vec![3]]);
        assert_eq!(owners.of, [0, 1, 3, 2]);
        // A package read by tab 3 first, then tab 1: still in tab order.
        let late = merge([(3, &acme, &one[..1]), (1, &acme, &one[..1])]);
        assert_eq!(late[0].seen_in, [1, 3]);
        let labels: Vec<String> = ["1. a", "2. a · x", "3. b", "4. a · y"].map(String::from).to_vec();
        assert_eq!(names(&owners.seen_in[1], &labels), "2. a · x, 4. a · y");
        assert_eq!(numbers("2. a · x, 4. a · y"), "2., 4.");
        assert_eq!(numbers("12. a b"), "12.");
        assert_eq!(numbers(""), "");
        assert_eq!(Owners::of(&[]), Owners::default());
    }
}
