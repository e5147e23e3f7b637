//! Containers and TTL nodes are reaped by the server. Ref: ZooKeeper ContainerManager.

mod common;

use bytes::Bytes;
use common::*;
use jute::proto::{CreateRequest, CreateTtlRequest, DeleteRequest, PathWatchRequest};
use jute::{Acl, ErrorCode, Request};
use rzk::server::reaper::ReaperOptions;
use rzk::server::ServerOptions;

async fn wait_gone(c: &mut Client, path: &str) -> bool {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while tokio::time::Instant::now() < deadline {
        let (h, _) = c
            .call(&Request::Exists(PathWatchRequest {
                path: path.into(),
                watch: false,
            }))
            .await;
        if h.err == ErrorCode::NoNode {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn emptied_containers_and_expired_ttl_nodes_are_deleted() {
    let mut opts = ServerOptions::default();
    opts.core.reaper = ReaperOptions {
        check_interval_ms: 50,
        ..ReaperOptions::default()
    };
    opts.core.request.extended_types = true;
    let s = TestServer::start(opts).await;
    let mut c = Client::connect(s.addr).await;
    let acl = Some(Acl::open_unsafe());
    let container = Request::CreateContainer(CreateRequest {
        path: "/c".into(),
        data: None,
        acl: acl.clone(),
        flags: 4,
    });
    assert_eq!(c.call(&container).await.0.err, ErrorCode::Ok);
    // A container that never had a child stays.
    let never = Request::CreateContainer(CreateRequest {
        path: "/never".into(),
        data: None,
        acl: acl.clone(),
        flags: 4,
    });
    assert_eq!(c.call(&never).await.0.err, ErrorCode::Ok);
    assert_eq!(c.call(&create("/c/x", b"")).await.0.err, ErrorCode::Ok);
    assert_eq!(
        c.call(&Request::Delete(DeleteRequest {
            path: "/c/x".into(),
            version: -1
        }))
        .await
        .0
        .err,
        ErrorCode::Ok
    );
    let ttl = Request::CreateTtl(CreateTtlRequest {
        path: "/t".into(),
        data: Some(Bytes::from_static(b"x")),
        acl,
        flags: 5,
        ttl: 200,
    });
    assert_eq!(c.call(&ttl).await.0.err, ErrorCode::Ok);
    assert!(wait_gone(&mut c, "/c").await, "emptied container reaped");
    assert!(wait_gone(&mut c, "/t").await, "expired TTL node reaped");
    let (h, _) = c
        .call(&Request::Exists(PathWatchRequest {
            path: "/never".into(),
            watch: false,
        }))
        .await;
    assert_eq!(
        h.err,
        ErrorCode::Ok,
        "a container that never had children is kept (maxNeverUsedIntervalMs = 0)"
    );
}
