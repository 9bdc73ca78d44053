//! Authentication, workspace scoping, the `request-id` header and the redirect endpoint.

use crate::support::{Api, read};
use fake_flora::{
    OTHER_API_KEY, OTHER_ASSET_ID, OTHER_PROJECT_ID, OTHER_WORKSPACE_ID, SEED_WORKSPACE_ID,
};

fn assert_request_id(reply: &crate::support::Reply) {
    let id = reply.header("request-id").expect("a request-id header");
    let token = id.strip_prefix("req_").expect("req_ prefix");
    assert_eq!(token.len(), 24, "{id}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{id}"
    );
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
}

#[tokio::test]
async fn missing_malformed_and_unknown_keys_are_refused() {
    let api = Api::start().await;
    let missing = api.get_as(None, "/workspaces").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.code(), "unauthorized");
    assert_eq!(
        missing.message(),
        "Missing or malformed Authorization header."
    );

    let url = format!("{}/workspaces", api.fake.base_url());
    let client = crate::support::client();
    for value in [
        "Basic c2s6",
        "Bearer",
        "Bearer  ",
        "sk_test_fake_0000000000000000",
    ] {
        let reply = read(client.get(&url).header("authorization", value)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "unauthorized"),
            "{value}"
        );
    }

    let unknown = api.get_as(Some("sk_test_nope"), "/workspaces").await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.code(), "invalid_api_key");
    assert_eq!(unknown.message(), "Invalid API key.");
    assert_eq!(
        unknown.json["error"].as_object().unwrap().len(),
        2,
        "no fields: {}",
        unknown.text
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_json() {
    let api = Api::start().await;
    let replies = [
        api.get("/workspaces").await,
        api.get_as(None, "/workspaces").await,
        api.get("/no/such/route").await,
        api.get_as(None, "/no/such/route").await,
        api.get("/projects/nope").await,
        api.get("/__fake/redirect?to=https://example.com/").await,
        read(api.raw(reqwest::Method::GET, "/elsewhere")).await,
        read(api.raw(reqwest::Method::GET, "/__fake/requests")).await,
    ];
    for reply in &replies {
        assert_request_id(reply);
        assert!(!reply.json.is_null(), "not JSON: {}", reply.text);
    }
    assert_eq!(replies[2].status, 404);
    assert_eq!(replies[2].code(), "not_found");
    assert_eq!(replies[2].message(), "Not found.");
    assert_ne!(
        replies[0].header("request-id"),
        replies[1].header("request-id")
    );
}

#[tokio::test]
async fn a_key_sees_only_its_own_workspace() {
    let api = Api::start().await;
    let mine = api.get("/workspaces").await;
    let workspaces = mine.json["workspaces"].as_array().unwrap();
    assert_eq!(workspaces.len(), 1);
    assert_eq!(workspaces[0]["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(workspaces[0]["role"], "owner");
    assert!(workspaces[0]["created_at"].is_u64());

    let theirs = api.get_as(Some(OTHER_API_KEY), "/workspaces").await;
    assert_eq!(
        theirs.json["workspaces"][0]["workspace_id"],
        OTHER_WORKSPACE_ID
    );

    for path in [
        format!("/projects/{OTHER_PROJECT_ID}"),
        format!("/assets/{OTHER_ASSET_ID}"),
        format!("/projects?workspace_id={OTHER_WORKSPACE_ID}"),
        format!("/assets?workspace_id={OTHER_WORKSPACE_ID}"),
        format!("/assets?project_id={OTHER_PROJECT_ID}"),
        format!("/technique-runs?workspace_id={OTHER_WORKSPACE_ID}"),
        format!("/techniques?workspace_id={OTHER_WORKSPACE_ID}"),
        "/projects?workspace_id=ws_doesnotexist".to_owned(),
    ] {
        let reply = api.get(&path).await;
        assert_eq!(
            (reply.status, reply.code()),
            (404, "not_found"),
            "{path}: {}",
            reply.text
        );
    }
    let own = api
        .get_as(Some(OTHER_API_KEY), &format!("/assets/{OTHER_ASSET_ID}"))
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
}

#[tokio::test]
async fn the_redirect_endpoint_answers_302_behind_auth() {
    let api = Api::start().await;
    let target = "http://127.0.0.1:9/elsewhere?x=1";
    let reply = api
        .get(&format!(
            "/__fake/redirect?to={}",
            "http%3A%2F%2F127.0.0.1%3A9%2Felsewhere%3Fx%3D1"
        ))
        .await;
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("location"), Some(target));
    let anonymous = api
        .get_as(None, "/__fake/redirect?to=https://example.com/")
        .await;
    assert_eq!(anonymous.status, 401);
    let missing = api.get("/__fake/redirect").await;
    missing.assert_invalid(&["to"]);
}
