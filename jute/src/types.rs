//! Code types: opcodes, error codes, watch event types and states, watcher types, create modes,
//! permissions, quorum packet types. Values and names are ZooKeeper's (`ZooDefs.OpCode`,
//! `KeeperException.Code`, `Watcher.Event`, `CreateMode`, `Leader`).

use crate::code_enum;

code_enum! {
    /// Request opcodes (`ZooDefs.OpCode`); also the txn types of the txn log.
    pub enum OpCode: i32 {
        Notification = 0 => "notification",
        Create = 1 => "create",
        Delete = 2 => "delete",
        Exists = 3 => "exists",
        GetData = 4 => "getData",
        SetData = 5 => "setData",
        GetAcl = 6 => "getACL",
        SetAcl = 7 => "setACL",
        GetChildren = 8 => "getChildren",
        Sync = 9 => "sync",
        Ping = 11 => "ping",
        GetChildren2 = 12 => "getChildren2",
        Check = 13 => "check",
        Multi = 14 => "multi",
        Create2 = 15 => "create2",
        Reconfig = 16 => "reconfig",
        CheckWatches = 17 => "checkWatches",
        RemoveWatches = 18 => "removeWatches",
        CreateContainer = 19 => "createContainer",
        DeleteContainer = 20 => "deleteContainer",
        CreateTtl = 21 => "createTTL",
        MultiRead = 22 => "multiRead",
        Auth = 100 => "auth",
        SetWatches = 101 => "setWatches",
        Sasl = 102 => "sasl",
        GetEphemerals = 103 => "getEphemerals",
        GetAllChildrenNumber = 104 => "getAllChildrenNumber",
        SetWatches2 = 105 => "setWatches2",
        AddWatch = 106 => "addWatch",
        WhoAmI = 107 => "whoAmI",
        CreateSession = -10 => "createSession",
        CloseSession = -11 => "closeSession",
        Error = -1 => "error",
    }
}

impl OpCode {
    /// Whether the op changes the tree (goes through the write pipeline and gets a zxid).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            OpCode::Create
                | OpCode::Create2
                | OpCode::CreateContainer
                | OpCode::CreateTtl
                | OpCode::Delete
                | OpCode::DeleteContainer
                | OpCode::SetData
                | OpCode::SetAcl
                | OpCode::Check
                | OpCode::Multi
                | OpCode::Reconfig
                | OpCode::CreateSession
                | OpCode::CloseSession
        )
    }
}

code_enum! {
    /// Error codes (`KeeperException.Code`).
    pub enum ErrorCode: i32 {
        Ok = 0 => "OK",
        SystemError = -1 => "SYSTEMERROR",
        RuntimeInconsistency = -2 => "RUNTIMEINCONSISTENCY",
        DataInconsistency = -3 => "DATAINCONSISTENCY",
        ConnectionLoss = -4 => "CONNECTIONLOSS",
        MarshallingError = -5 => "MARSHALLINGERROR",
        Unimplemented = -6 => "UNIMPLEMENTED",
        OperationTimeout = -7 => "OPERATIONTIMEOUT",
        BadArguments = -8 => "BADARGUMENTS",
        UnknownSession = -12 => "UNKNOWNSESSION",
        NewConfigNoQuorum = -13 => "NEWCONFIGNOQUORUM",
        ReconfigInProgress = -14 => "RECONFIGINPROGRESS",
        ApiError = -100 => "APIERROR",
        NoNode = -101 => "NONODE",
        NoAuth = -102 => "NOAUTH",
        BadVersion = -103 => "BADVERSION",
        NoChildrenForEphemerals = -108 => "NOCHILDRENFOREPHEMERALS",
        NodeExists = -110 => "NODEEXISTS",
        NotEmpty = -111 => "NOTEMPTY",
        SessionExpired = -112 => "SESSIONEXPIRED",
        InvalidCallback = -113 => "INVALIDCALLBACK",
        InvalidAcl = -114 => "INVALIDACL",
        AuthFailed = -115 => "AUTHFAILED",
        SessionMoved = -118 => "SESSIONMOVED",
        NotReadOnly = -119 => "NOTREADONLY",
        EphemeralOnLocalSession = -120 => "EPHEMERALONLOCALSESSION",
        NoWatcher = -121 => "NOWATCHER",
        RequestTimeout = -122 => "REQUESTTIMEOUT",
        ReconfigDisabled = -123 => "RECONFIGDISABLED",
        SessionClosedRequireSaslAuth = -124 => "SESSIONCLOSEDREQUIRESASLAUTH",
        QuotaExceeded = -125 => "QUOTAEXCEEDED",
        ThrottledOp = -127 => "THROTTLEDOP",
    }
}

impl ErrorCode {
    pub fn is_ok(self) -> bool {
        self == ErrorCode::Ok
    }
}

code_enum! {
    /// Watch event types (`Watcher.Event.EventType`).
    pub enum EventType: i32 {
        None = -1 => "None",
        NodeCreated = 1 => "NodeCreated",
        NodeDeleted = 2 => "NodeDeleted",
        NodeDataChanged = 3 => "NodeDataChanged",
        NodeChildrenChanged = 4 => "NodeChildrenChanged",
        DataWatchRemoved = 5 => "DataWatchRemoved",
        ChildWatchRemoved = 6 => "ChildWatchRemoved",
        PersistentWatchRemoved = 7 => "PersistentWatchRemoved",
    }
}

code_enum! {
    /// Connection states carried in watch events (`Watcher.Event.KeeperState`).
    pub enum KeeperState: i32 {
        LegacyUnknown = -1 => "Unknown",
        Disconnected = 0 => "Disconnected",
        NoSyncConnected = 1 => "NoSyncConnected",
        SyncConnected = 3 => "SyncConnected",
        AuthFailed = 4 => "AuthFailed",
        ConnectedReadOnly = 5 => "ConnectedReadOnly",
        SaslAuthenticated = 6 => "SaslAuthenticated",
        Expired = -112 => "Expired",
        Closed = 7 => "Closed",
    }
}

code_enum! {
    /// Watcher types of checkWatches/removeWatches (`Watcher.WatcherType`).
    pub enum WatcherType: i32 {
        Children = 1 => "Children",
        Data = 2 => "Data",
        Any = 3 => "Any",
        Persistent = 4 => "Persistent",
        PersistentRecursive = 5 => "PersistentRecursive",
    }
}

code_enum! {
    /// addWatch modes (`AddWatchMode`).
    pub enum AddWatchMode: i32 {
        Persistent = 0 => "PERSISTENT",
        PersistentRecursive = 1 => "PERSISTENT_RECURSIVE",
    }
}

code_enum! {
    /// Create flags (`CreateMode`).
    pub enum CreateMode: i32 {
        Persistent = 0 => "PERSISTENT",
        Ephemeral = 1 => "EPHEMERAL",
        PersistentSequential = 2 => "PERSISTENT_SEQUENTIAL",
        EphemeralSequential = 3 => "EPHEMERAL_SEQUENTIAL",
        Container = 4 => "CONTAINER",
        PersistentWithTtl = 5 => "PERSISTENT_WITH_TTL",
        PersistentSequentialWithTtl = 6 => "PERSISTENT_SEQUENTIAL_WITH_TTL",
    }
}

impl CreateMode {
    pub fn is_ephemeral(self) -> bool {
        matches!(self, CreateMode::Ephemeral | CreateMode::EphemeralSequential)
    }
    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentSequential
                | CreateMode::EphemeralSequential
                | CreateMode::PersistentSequentialWithTtl
        )
    }
    pub fn is_container(self) -> bool {
        self == CreateMode::Container
    }
    pub fn is_ttl(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentWithTtl | CreateMode::PersistentSequentialWithTtl
        )
    }
}

/// ACL permission bits (`ZooDefs.Perms`).
pub mod perms {
    pub const READ: i32 = 1;
    pub const WRITE: i32 = 2;
    pub const CREATE: i32 = 4;
    pub const DELETE: i32 = 8;
    pub const ADMIN: i32 = 16;
    pub const ALL: i32 = READ | WRITE | CREATE | DELETE | ADMIN;
}

code_enum! {
    /// Quorum packet types (`Leader` constants).
    pub enum PacketType: i32 {
        Request = 1 => "REQUEST",
        Proposal = 2 => "PROPOSAL",
        Ack = 3 => "ACK",
        Commit = 4 => "COMMIT",
        Ping = 5 => "PING",
        Revalidate = 6 => "REVALIDATE",
        Sync = 7 => "SYNC",
        Inform = 8 => "INFORM",
        CommitAndActivate = 9 => "COMMITANDACTIVATE",
        NewLeader = 10 => "NEWLEADER",
        FollowerInfo = 11 => "FOLLOWERINFO",
        UpToDate = 12 => "UPTODATE",
        Diff = 13 => "DIFF",
        Trunc = 14 => "TRUNC",
        Snap = 15 => "SNAP",
        ObserverInfo = 16 => "OBSERVERINFO",
        LeaderInfo = 17 => "LEADERINFO",
        AckEpoch = 18 => "ACKEPOCH",
        InformAndActivate = 19 => "INFORMANDACTIVATE",
    }
}

code_enum! {
    /// A peer's state in leader election notifications (`QuorumPeer.ServerState` ordinal).
    pub enum ServerState: i32 {
        Looking = 0 => "LOOKING",
        Following = 1 => "FOLLOWING",
        Leading = 2 => "LEADING",
        Observing = 3 => "OBSERVING",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip_without_panicking() {
        assert_eq!(OpCode::from_raw(99), OpCode::Unknown(99));
        assert_eq!(OpCode::from_raw(99).raw(), 99);
        assert_eq!(ErrorCode::from_raw(-101), ErrorCode::NoNode);
        assert_eq!(ErrorCode::NoNode.to_string(), "NONODE");
        assert_eq!(ErrorCode::from_raw(-9).to_string(), "UNKNOWN(-9)");
        for op in OpCode::ALL {
            assert_eq!(OpCode::from_raw(op.raw()), *op);
        }
    }

    #[test]
    fn create_mode_flags() {
        assert!(CreateMode::from_raw(3).is_ephemeral() && CreateMode::from_raw(3).is_sequential());
        assert!(CreateMode::from_raw(6).is_ttl() && CreateMode::from_raw(6).is_sequential());
        assert_eq!(CreateMode::from_raw(9), CreateMode::Unknown(9));
        assert_eq!(perms::ALL, 31);
    }
}
