//! What `--service-host` may name: a host of that service in that region
//! under a Huawei Cloud API domain, never a name a tenant can hold (an
//! object-storage bucket, a static website) and never a new global IAM
//! host (where every token is checked).

use clap::Parser;
use tenantscope_proxy::config::{Args, Config};

fn parse(entry: &str) -> Result<Config, String> {
    Args::try_parse_from(["tenantscope-proxy", "--service-host", entry]).map(|args| Config::from(&args)).map_err(|e| e.to_string())
}

#[test]
fn a_service_host_is_the_services_own_name_in_that_region() {
    for ok in [
        "hss:af-north-1=hss.af-north-1.myhuaweicloud.com",
        "hss:xx-test-1=hss.xx-test-1.myhuaweicloud.com",
        "testplan:cn-east-2=cloudtest-ext.cn-east-2.myhuaweicloud.cn",
        "dsc:ap-southeast-9=sdg.ap-southeast-9.myhuaweicloud.com",
        "codecheck:eu-west-102=check.eu-west-102.myhuaweicloud.eu",
        "iam:ap-southeast-9=iam.ap-southeast-9.myhuaweicloud.com",
        "bss:global=bss-intl.myhuaweicloud.com",
        "bss:global-intl=bss.myhuaweicloud.com",
    ] {
        let config = parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(config.service_hosts.len(), 1, "{ok}");
    }
}

#[test]
fn names_a_tenant_controls_are_refused() {
    for bad in [
        // Object storage: buckets and their website endpoints are the tenant's.
        "hss:cn-north-4=attacker-bucket.obs.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=attacker-bucket.obs-website.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=obs.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=hss.obs.cn-north-4.myhuaweicloud.com",
        "bss:global=attacker.obs.myhuaweicloud.com",
        "bss:global=attacker-site.website.myhuaweicloud.com",
        // Not the service's prefix, not the region, extra labels.
        "hss:cn-north-4=anything.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=sdg.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=hss.cn-north-1.myhuaweicloud.com",
        "hss:cn-north-4=x.hss.cn-north-4.myhuaweicloud.com",
        "hss:cn-north-4=hss.cn-north-4.evil.myhuaweicloud.com",
        "hss:cn-north-4=hss.myhuaweicloud.com",
        "bss:global=evil.myhuaweicloud.com",
        "bss:global=bss.cn-north-4.myhuaweicloud.com",
        // The global IAM hosts are the catalogue's, whatever is offered.
        "iam:global=anything.huaweicloud.com",
        "iam:global=iam.myhuaweicloud.com",
        "iam:global-eu=iam.myhuaweicloud.eu",
        // What was refused already.
        "hss:cn-north-4=hss.cn-north-4.example.com",
        "hss:cn-north-4=hss.cn-north-4.myhuaweicloud.com:444",
    ] {
        let err = parse(bad).err().unwrap_or_else(|| panic!("{bad} was accepted"));
        assert!(err.contains("service-host"), "{bad}: {err}");
    }
    let err = parse("hss:cn-north-4=attacker-bucket.obs.cn-north-4.myhuaweicloud.com").unwrap_err();
    assert!(err.contains("object storage"), "{err}");
    let err = parse("iam:global=anything.huaweicloud.com").unwrap_err();
    assert!(err.contains("global IAM"), "{err}");
}
