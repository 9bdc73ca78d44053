//! Name resolution for egress: a name may resolve only to public addresses, so an allowed host
//! name cannot be pointed (by DNS rebinding or a hostile resolver answer) at this machine, the
//! local network, or a cloud metadata service. Names of loopback rules (`localhost`) are the
//! one exception, for a local fake FLORA. IP literals in URLs never reach the resolver: the
//! policy compares them directly.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Whether an address may be the destination of a request to a non-loopback host.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// A resolver that drops every non-public address, except for the names it is told are local.
#[derive(Clone)]
pub struct PublicOnly {
    local_names: Arc<HashSet<String>>,
}

impl PublicOnly {
    /// A resolver that lets `local_names` (such as `localhost`) resolve to anything.
    pub fn new(local_names: impl IntoIterator<Item = String>) -> PublicOnly {
        PublicOnly {
            local_names: Arc::new(local_names.into_iter().collect()),
        }
    }

    /// Keeps the addresses `name` may use; fails when none is left.
    pub fn filter(&self, name: &str, addrs: Vec<SocketAddr>) -> std::io::Result<Vec<SocketAddr>> {
        if self.local_names.contains(&name.to_ascii_lowercase()) {
            return Ok(addrs);
        }
        let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
        if kept.is_empty() {
            tracing::warn!(
                host = name,
                "egress denied: the name resolves to no public address"
            );
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("{name} resolves only to private, loopback or link-local addresses"),
            ));
        }
        Ok(kept)
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept = this.filter(&host, addrs)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should not be public");
        }
        for ip in ["34.117.59.81", "104.18.0.1", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[test]
    fn a_name_that_resolves_only_to_private_addresses_is_refused() {
        let resolver = PublicOnly::new(["localhost".to_owned()]);
        let private = vec!["10.0.0.7:0".parse().unwrap(), "[::1]:0".parse().unwrap()];
        let err = resolver.filter("app.flora.ai", private).unwrap_err();
        assert!(err.to_string().contains("resolves only to private"));
        let mixed = vec![
            "10.0.0.7:0".parse().unwrap(),
            "34.117.59.81:0".parse().unwrap(),
        ];
        let kept = resolver.filter("app.flora.ai", mixed).unwrap();
        assert_eq!(kept, vec!["34.117.59.81:0".parse::<SocketAddr>().unwrap()]);
        let local = vec!["127.0.0.1:0".parse().unwrap()];
        assert_eq!(resolver.filter("LOCALHOST", local.clone()).unwrap(), local);
    }
}
