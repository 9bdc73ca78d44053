//! The egress policy as data: a list of rules, each an origin (scheme, host, port), the methods
//! and the path prefix it allows, whether the host adds its credential, and whether it is only
//! for file bodies (upload targets on a storage origin). A request that no rule allows is
//! denied. Hosts are compared after normalising case, a trailing dot and the many
//! spellings of IP literals (`0x7f.1` is `127.0.0.1`); user info in the URL is refused outright.

use crate::config::ApiBase;
use http::Method;
use std::net::IpAddr;
use url::{Host, Url};

/// Why a request was refused. Its text names the rule that did not match, never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial(pub String);

/// One allowed destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `https` or `http`.
    pub scheme: String,
    /// Normalised host: lowercase name without trailing dot, or a canonical IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path prefix, ending in `/`.
    pub path_prefix: String,
    /// Allowed methods; empty means any.
    pub methods: Vec<Method>,
    /// Whether the host adds its credential to requests this rule allows.
    pub credential: bool,
    /// Whether the rule allows only requests whose body is a local file (`flora:mcp/files`),
    /// not plain `wasi:http` requests: storage origins of upload targets.
    pub file_bodies_only: bool,
}

impl Rule {
    /// The rule for the FLORA API: any method under its prefix, with the credential.
    pub fn api(api: &ApiBase) -> Rule {
        Rule {
            scheme: api.scheme.clone(),
            host: api.host.clone(),
            port: api.port,
            path_prefix: api.path_prefix.clone(),
            methods: Vec::new(),
            credential: true,
            file_bodies_only: false,
        }
    }

    /// The rule for one storage origin of FLORA's upload targets: `POST` (a form upload) or
    /// `PUT` (the raw-bytes fallback) of a file body, anywhere on the origin, never with the
    /// credential.
    pub fn storage(origin: &ApiBase) -> Rule {
        Rule {
            methods: vec![Method::POST, Method::PUT],
            credential: false,
            file_bodies_only: true,
            ..Rule::api(origin)
        }
    }

    /// The origin as text, for logs and the audit.
    pub fn origin(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}://{host}:{}", self.scheme, self.port)
    }

    /// Whether the rule's host is a loopback address or `localhost`.
    pub fn is_loopback(&self) -> bool {
        match self.host.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => self.host == "localhost",
        }
    }
}

/// Which requests may leave the machine.
#[derive(Debug, Clone)]
pub struct Policy {
    rules: Vec<Rule>,
}

/// A request's destination, normalised for comparison.
struct Target {
    scheme: String,
    host: String,
    port: u16,
    path: String,
}

impl Policy {
    /// A policy of exactly these rules.
    pub fn new(rules: Vec<Rule>) -> Policy {
        Policy { rules }
    }

    /// A policy that allows exactly the FLORA API at `api`.
    pub fn for_api(api: &ApiBase) -> Policy {
        Policy::new(vec![Rule::api(api)])
    }

    /// The rules in force.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The API rule plus one storage rule per upload-target origin.
    pub fn for_api_and_storage(api: &ApiBase, storage: &[ApiBase]) -> Policy {
        let mut rules = vec![Rule::api(api)];
        rules.extend(storage.iter().map(Rule::storage));
        Policy::new(rules)
    }

    /// The rule that allows a plain (`wasi:http`) request `method` to `uri`; rules only for
    /// file bodies do not count.
    ///
    /// # Errors
    /// A [`Denial`] naming why: a URL with user info, dot segments or no host, or no rule whose
    /// origin, method and path prefix all match.
    pub fn check(&self, method: &Method, uri: &http::Uri) -> Result<&Rule, Denial> {
        self.check_in(method, uri, false)
    }

    /// The rule that allows a request `method` to `uri` whose body is a local file.
    ///
    /// # Errors
    /// As [`Policy::check`].
    pub fn check_file_body(&self, method: &Method, uri: &http::Uri) -> Result<&Rule, Denial> {
        self.check_in(method, uri, true)
    }

    fn check_in(&self, method: &Method, uri: &http::Uri, file: bool) -> Result<&Rule, Denial> {
        let target = normalise(uri)?;
        if target.path.split('/').any(is_dot_segment) {
            return Err(Denial(format!(
                "path {} has a `.` or `..` segment",
                target.path
            )));
        }
        let mut nearest = None;
        for rule in self
            .rules
            .iter()
            .filter(|rule| file || !rule.file_bodies_only)
        {
            if rule.scheme != target.scheme || rule.host != target.host || rule.port != target.port
            {
                continue;
            }
            if !target.path.starts_with(&rule.path_prefix) {
                nearest = Some(format!(
                    "path {} is outside {}",
                    target.path, rule.path_prefix
                ));
                continue;
            }
            if !rule.methods.is_empty() && !rule.methods.contains(method) {
                nearest = Some(format!(
                    "method {method} is not allowed for {}",
                    rule.origin()
                ));
                continue;
            }
            return Ok(rule);
        }
        Err(Denial(nearest.unwrap_or_else(|| {
            let host = if target.host.contains(':') {
                format!("[{}]", target.host)
            } else {
                target.host.clone()
            };
            format!(
                "{}://{host}:{} is not an allowed origin",
                target.scheme, target.port
            )
        })))
    }
}

fn normalise(uri: &http::Uri) -> Result<Target, Denial> {
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    if authority.contains('@') {
        return Err(Denial("the URL carries user info".to_owned()));
    }
    let url = Url::parse(&uri.to_string())
        .map_err(|err| Denial(format!("the URL does not parse: {err}")))?;
    let host = match url.host() {
        Some(Host::Domain(name)) => name.trim_end_matches('.').to_ascii_lowercase(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => ip.to_string(),
        },
        None => return Err(Denial("the URL has no host".to_owned())),
    };
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Denial("no port".to_owned()))?;
    Ok(Target {
        scheme: url.scheme().to_owned(),
        host,
        port,
        path: uri.path().to_owned(),
    })
}

fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase().replace("%2e", ".");
    lower == "." || lower == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base: &str) -> Policy {
        Policy::for_api(&ApiBase::parse(base).unwrap())
    }

    fn check(p: &Policy, uri: &str) -> Result<(), Denial> {
        p.check(&Method::GET, &uri.parse().unwrap()).map(drop)
    }

    #[test]
    fn the_api_origin_and_prefix_are_allowed_in_any_case_or_trailing_dot() {
        let p = policy("https://app.flora.ai/api/v1");
        assert!(check(&p, "https://app.flora.ai/api/v1/techniques?limit=1").is_ok());
        assert!(check(&p, "https://APP.FLORA.AI./api/v1/workspaces").is_ok());
        assert!(check(&p, "https://app.flora.ai:443/api/v1/workspaces").is_ok());
    }

    #[test]
    fn other_hosts_schemes_ports_and_paths_are_denied() {
        let p = policy("https://app.flora.ai/api/v1");
        for uri in [
            "https://evil.example/api/v1/workspaces",
            "http://app.flora.ai/api/v1/workspaces",
            "https://app.flora.ai:8443/api/v1/workspaces",
            "https://app.flora.ai/api/v2/workspaces",
            "https://app.flora.ai/api/v1x/workspaces",
            "https://app.flora.ai/api/v1/../admin",
            "https://app.flora.ai/api/v1/%2E%2E/admin",
            "https://user@app.flora.ai/api/v1/workspaces",
            "https://app.flora.ai.evil.example/api/v1/workspaces",
            "https://169.254.169.254/api/v1/workspaces",
        ] {
            assert!(check(&p, uri).is_err(), "{uri} should be denied");
        }
    }

    #[test]
    fn ip_literal_spellings_are_compared_as_addresses() {
        let p = policy("http://127.0.0.1:4010/api/v1");
        for same in [
            "http://127.0.0.1:4010/api/v1/models",
            "http://0x7f.0.0.1:4010/api/v1/models",
            "http://2130706433:4010/api/v1/models",
            "http://127.1:4010/api/v1/models",
            "http://[::ffff:127.0.0.1]:4010/api/v1/models",
        ] {
            assert!(check(&p, same).is_ok(), "{same} is the allowed address");
        }
        for other in [
            "http://127.0.0.2:4010/api/v1/models",
            "http://127.0.0.1:4011/api/v1/models",
            "http://localhost:4010/api/v1/models",
            "http://127.0.0.1:4010/__fake/requests",
        ] {
            assert!(check(&p, other).is_err(), "{other} should be denied");
        }
    }

    #[test]
    fn rules_can_limit_methods_and_leave_out_the_credential() {
        let mut storage = Rule::api(&ApiBase::parse("https://storage.example/upload").unwrap());
        storage.methods = vec![Method::PUT];
        storage.credential = false;
        let p = Policy::new(vec![storage]);
        let uri: http::Uri = "https://storage.example/upload/x".parse().unwrap();
        assert!(!p.check(&Method::PUT, &uri).unwrap().credential);
        let denial = p.check(&Method::GET, &uri).unwrap_err();
        assert!(denial.0.contains("method GET"), "{denial:?}");
    }

    #[test]
    fn storage_origins_take_only_file_bodies_by_post_or_put_without_the_credential() {
        let api = ApiBase::parse("https://app.flora.ai/api/v1").unwrap();
        let storage = ApiBase::parse("https://storage.example").unwrap();
        let p = Policy::for_api_and_storage(&api, &[storage]);
        let uri: http::Uri = "https://storage.example/bucket".parse().unwrap();
        assert!(
            p.check(&Method::POST, &uri).is_err(),
            "plain HTTP to storage"
        );
        let rule = p.check_file_body(&Method::POST, &uri).unwrap();
        assert!(!rule.credential);
        assert!(p.check_file_body(&Method::PUT, &uri).is_ok());
        assert!(p.check_file_body(&Method::GET, &uri).is_err());
        let api_uri: http::Uri = "https://app.flora.ai/api/v1/assets".parse().unwrap();
        assert!(
            p.check_file_body(&Method::POST, &api_uri)
                .unwrap()
                .credential
        );
    }
}
