//! Super user and skipACL, end to end. Ref: ZooKeeper `DigestAuthenticationProvider.superDigest`
//! (`zookeeper.DigestAuthenticationProvider.superDigest`) and `zookeeper.skipACL`.

mod common;

use bytes::Bytes;
use common::*;
use jute::proto::{AuthPacket, CreateRequest, PathWatchRequest};
use jute::{Acl, ErrorCode, Id, Request};
use rzk::auth::digest::digest_id;
use rzk::server::ServerOptions;

fn locked(path: &str) -> Request {
    // Only digest user "owner:secret" may do anything.
    let acl = vec![Acl::new(31, Id::new("digest", digest_id("owner:secret")))];
    Request::Create(CreateRequest {
        path: path.into(),
        data: Some(Bytes::from_static(b"x")),
        acl: Some(acl),
        flags: 0,
    })
}

async fn add_auth(c: &mut Client, user_password: &str) -> ErrorCode {
    let req = Request::Auth(AuthPacket {
        auth_type: 0,
        scheme: "digest".into(),
        auth: Some(Bytes::copy_from_slice(user_password.as_bytes())),
    });
    // The reply carries the request's xid (clients send auth with xid -4; any works).
    let xid = c.send(&req).await;
    c.reply(xid).await.0.err
}

fn read(path: &str) -> Request {
    Request::GetData(PathWatchRequest {
        path: path.into(),
        watch: false,
    })
}

#[tokio::test]
async fn the_super_digest_opens_every_node() {
    let mut opts = ServerOptions::default();
    opts.core.super_digest = Some(digest_id("super:adminpw"));
    let s = TestServer::start(opts).await;
    let mut owner = Client::connect(s.addr).await;
    assert_eq!(owner.call(&locked("/locked")).await.0.err, ErrorCode::Ok);
    let mut other = Client::connect(s.addr).await;
    assert_eq!(other.call(&read("/locked")).await.0.err, ErrorCode::NoAuth);
    assert_eq!(add_auth(&mut other, "someone:else").await, ErrorCode::Ok);
    assert_eq!(
        other.call(&read("/locked")).await.0.err,
        ErrorCode::NoAuth,
        "a plain digest id is not enough"
    );
    let mut admin = Client::connect(s.addr).await;
    assert_eq!(add_auth(&mut admin, "super:adminpw").await, ErrorCode::Ok);
    assert_eq!(
        admin.call(&read("/locked")).await.0.err,
        ErrorCode::Ok,
        "super reads everything"
    );
}

#[tokio::test]
async fn skip_acl_disables_every_check() {
    let mut opts = ServerOptions::default();
    opts.core.request.skip_acl = true;
    let s = TestServer::start(opts).await;
    let mut owner = Client::connect(s.addr).await;
    assert_eq!(owner.call(&locked("/locked")).await.0.err, ErrorCode::Ok);
    let mut other = Client::connect(s.addr).await;
    assert_eq!(other.call(&read("/locked")).await.0.err, ErrorCode::Ok);
}

#[tokio::test]
async fn enforced_auth_schemes_close_unauthenticated_sessions() {
    // Ref: AuthenticationHelper.enforceAuthentication: (xid, 0, SESSIONCLOSEDREQUIRESASLAUTH), then close.
    let mut opts = ServerOptions::default();
    opts.core.enforce_auth_schemes = Some(vec!["digest".into()]);
    let s = TestServer::start(opts).await;
    let mut anon = Client::connect(s.addr).await;
    let (h, _) = anon.call(&read("/")).await;
    assert_eq!((h.zxid, h.err), (0, ErrorCode::SessionClosedRequireSaslAuth));
    assert!(anon.read_frame().await.is_none(), "then closed");
    let mut user = Client::connect(s.addr).await;
    assert_eq!(add_auth(&mut user, "u:p").await, ErrorCode::Ok);
    assert_eq!(
        user.call(&read("/")).await.0.err,
        ErrorCode::Ok,
        "a digest id satisfies enforce.auth.schemes=digest"
    );
}
